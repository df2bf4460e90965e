/** Stub: the cluster RLock (being built). */
import { NotImplementedError } from '../errors.js'
import type { Cluster } from './cluster.js'
import type { ClusterLockOptions } from './lock.js'
import { ClusterObject } from './object.js'

export class ClusterRLock extends ClusterObject {
  constructor(cluster: Cluster, name: string, options: ClusterLockOptions) {
    super(cluster, name, 'RLock', { ...options })
    throw new NotImplementedError('cluster.RLock')
  }
}
