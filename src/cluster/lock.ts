/** Stub: the cluster Lock (being built). */
import { NotImplementedError } from '../errors.js'
import type { Cluster } from './cluster.js'
import { ClusterObject } from './object.js'

/** Options of a cluster lock. */
export interface ClusterLockOptions {
  /** Milliseconds a holder keeps the lock without renewing; renewed while held. Default 10,000. */
  lease?: number
}

export class ClusterLock extends ClusterObject {
  constructor(cluster: Cluster, name: string, options: ClusterLockOptions) {
    super(cluster, name, 'Lock', { ...options })
    throw new NotImplementedError('cluster.Lock')
  }
}
