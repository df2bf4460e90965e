/**
 * `ThreadPool`: Python's `multiprocessing.pool.ThreadPool` — the same pool
 * on worker threads (skein Threads on warm workers), truly parallel.
 */
import { cpuCount } from '../runtime/context.js'
import { Thread } from '../thread/thread.js'
import { BasePool, makeCore, type BasePoolOptions } from './base-pool.js'
import type { PoolBackend } from './backend.js'
import { poolWorker } from './worker.js'

/** Options of `new ThreadPool(…)`. */
export interface ThreadPoolOptions<I extends unknown[] = never[]> extends BasePoolOptions<I> {
  /** How many worker threads (default: cpuCount()). */
  threads?: number
}

const threadBackend: PoolBackend = {
  kind: 'ThreadPool',
  preloads: false,
  // its inbox segment and a worker thread's own (event loop, wake-ups, stdio): ~10 measured
  fdsPerWorker: 12,
  needsPreload: () => false,
  // With maxTasksPerChild a worker is a fresh one (its own module state), so recycling means what it says.
  create(args, name, _modules, recycled) {
    const t = new Thread({ target: poolWorker, args, daemon: true, name, fresh: recycled })
    return {
      start: () => t.start(),
      kill: () => t.kill(),
      join: () => t.join(),
      on: (event, listener) => t.on(event, listener),
      get exitCode() { return t.exitCode },
      get id() { return t.ident },
    }
  },
}

/**
 * A pool of worker threads: the same API as `Pool`.
 *
 * @example
 * import { ThreadPool, isMainThread } from 'skein'
 * export function square(x: number) { return x * x }
 * if (isMainThread()) {
 *   await using pool = new ThreadPool({ threads: 2 })
 *   console.log(await pool.map(square, [1, 2, 3])) // [ 1, 4, 9 ]
 * }
 */
export class ThreadPool extends BasePool {
  constructor(options: ThreadPoolOptions<unknown[]> = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('new ThreadPool(options): options must be an object like { threads: 4 }')
    super(makeCore(threadBackend, options.threads, 'threads', cpuCount(), options), 'ThreadPool')
  }
}
