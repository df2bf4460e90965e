/** Stub: the cluster Event (being built). */
import { NotImplementedError } from '../errors.js'
import type { Cluster } from './cluster.js'
import { ClusterObject } from './object.js'

export class ClusterEvent extends ClusterObject {
  constructor(cluster: Cluster, name: string) {
    super(cluster, name, 'Event')
    throw new NotImplementedError('cluster.Event')
  }
}
