/** Stub: the cluster Pool (being built). */
import { NotImplementedError } from '../errors.js'
import type { Cluster } from './cluster.js'
import { ClusterObject } from './object.js'

/** Options of a cluster pool. */
export interface ClusterPoolOptions {
  /** The pool's name: workers started with `runWorker({ pool: name })` run its tasks. */
  name: string
  /** Runs of a task whose worker died before it is rejected with WorkerCrashedError; default 3. */
  maxAttempts?: number
}

export class ClusterPool extends ClusterObject {
  constructor(cluster: Cluster, options: ClusterPoolOptions) {
    super(cluster, options?.name, 'Pool', { ...options })
    throw new NotImplementedError('cluster.Pool')
  }
}
