/**
 * `Pool`: Python's `multiprocessing.Pool` — worker processes (skein
 * Processes, forked from the warm fork server by default) running tasks.
 */
import { cpuCount } from '../process/context.js'
import { getStartMethod } from '../process/method.js'
import { BasePool, makeCore, type BasePoolOptions } from './base-pool.js'
import type { PoolBackend } from './core.js'
import { ProcessWorker } from './process-worker.js'

/** Options of `new Pool(…)`. */
export interface PoolOptions<I extends unknown[] = never[]> extends BasePoolOptions<I> {
  /** How many worker processes (default: cpuCount()). */
  processes?: number
}

const processBackend: PoolBackend = {
  kind: 'Pool',
  preloads: true,
  needsPreload: (url) => /\.(ts|tsx|mts|cts)$/.test(url) && getStartMethod() === 'forkserver',
  create: (args, name, modules) => new ProcessWorker(args, name, modules),
}

/**
 * A pool of worker processes. Task functions are plain exported functions
 * (sync or async), found by module and name like a Process's target.
 *
 * @example
 * import { Pool, isMainProcess } from 'skein'
 * export function square(x: number) { return x * x }
 * if (isMainProcess()) {
 *   await using pool = new Pool({ processes: 2 })
 *   console.log(await pool.apply(square, [7]), await pool.map(square, [1, 2, 3])) // 49 [ 1, 4, 9 ]
 * }
 */
export class Pool extends BasePool {
  constructor(options: PoolOptions<unknown[]> = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('new Pool(options): options must be an object like { processes: 4 }')
    super(makeCore(processBackend, options.processes, 'processes', cpuCount(), options), 'Pool')
  }
}
