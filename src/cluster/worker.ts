/** Stub: runWorker (being built). */
import { NotImplementedError } from '../errors.js'

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  /** The Redis URL. */
  url: string
  /** The pool's name (as in `cluster.Pool({ name })`). */
  pool: string
  /** Namespace, as in connect(); default 'skein'. */
  namespace?: string
  /** Tasks run at once, each in a local process; default cpuCount(). */
  concurrency?: number
  /** Aborting it stops the worker after its tasks in hand finish. */
  signal?: AbortSignal
}

/** Runs tasks of a cluster pool on this machine until `signal` aborts. */
export async function runWorker(_options: WorkerOptions): Promise<void> {
  throw new NotImplementedError('runWorker')
}
