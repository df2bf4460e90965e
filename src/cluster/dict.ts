/** Stub: the cluster dict (being built). */
import { NotImplementedError } from '../errors.js'
import type { Cluster } from './cluster.js'
import { ClusterObject } from './object.js'

export class ClusterDict<V = unknown> extends ClusterObject {
  declare readonly __value?: V
  constructor(cluster: Cluster, name: string) {
    super(cluster, name, 'dict')
    throw new NotImplementedError('cluster.dict')
  }
}
