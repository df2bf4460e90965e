/** Stub: the cluster Queue (being built). */
import { NotImplementedError } from '../errors.js'
import type { Cluster } from './cluster.js'
import { ClusterObject } from './object.js'

export class ClusterQueue<T = unknown> extends ClusterObject {
  declare readonly __item?: T
  constructor(cluster: Cluster, name: string, maxsize: number) {
    super(cluster, name, 'Queue', { maxsize })
    throw new NotImplementedError('cluster.Queue')
  }
}
