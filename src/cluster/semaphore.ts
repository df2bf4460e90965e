/** Stub: the cluster Semaphore (being built). */
import { NotImplementedError } from '../errors.js'
import type { Cluster } from './cluster.js'
import { ClusterObject } from './object.js'

/** Options of a cluster semaphore. */
export interface ClusterSemaphoreOptions {
  /** Milliseconds a permit is kept without renewing; renewed while held. Default 10,000. */
  lease?: number
}

export class ClusterSemaphore extends ClusterObject {
  constructor(cluster: Cluster, name: string, value: number, options: ClusterSemaphoreOptions) {
    super(cluster, name, 'Semaphore', { ...options, value })
    throw new NotImplementedError('cluster.Semaphore')
  }
}

export class ClusterBoundedSemaphore extends ClusterObject {
  constructor(cluster: Cluster, name: string, value: number, options: ClusterSemaphoreOptions) {
    super(cluster, name, 'BoundedSemaphore', { ...options, value })
    throw new NotImplementedError('cluster.BoundedSemaphore')
  }
}
