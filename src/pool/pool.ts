/**
 * `Pool`: Python's `multiprocessing.Pool` — worker processes (skein
 * Processes, forked from the warm fork server by default) running tasks.
 */
import { cpuCount } from '../runtime/context.js'
import { checkStartMethod, getStartMethod, type StartMethod } from '../process/method.js'
import { BasePool, makeCore, type BasePoolOptions } from './base-pool.js'
import type { PoolBackend } from './backend.js'
import { ProcessWorker } from './process-worker.js'

/** Options of `new Pool(…)`. */
export interface PoolOptions<I extends unknown[] = never[]> extends BasePoolOptions<I> {
  /** How many worker processes (default: cpuCount()). */
  processes?: number
  /**
   * How the workers start (default: getStartMethod() when the pool is made):
   * 'forkserver' forks each from the warm fork server (a few ms), 'spawn'
   * runs a cold node for each (~100 ms; any module loads later).
   */
  startMethod?: StartMethod
}

/** Workers are Processes started with `method`. */
function processBackend(method: StartMethod): PoolBackend {
  // Only a forked child under loader hooks needs its TypeScript task modules loaded before the fork (process-worker.ts).
  const forked = method === 'forkserver'
  return {
    kind: 'Pool',
    preloads: forked,
    // its inbox segment and the pidfd that watches its exit, plus a spare
    fdsPerWorker: 3,
    needsPreload: (url) => forked && /\.(ts|tsx|mts|cts)$/.test(url),
    create: (args, name, modules) => new ProcessWorker(args, name, modules, method),
  }
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
 *   await using cold = new Pool({ processes: 2, startMethod: 'spawn' }) // each worker a fresh node
 *   console.log(await cold.map(square, [4, 5])) // [ 16, 25 ]
 * }
 */
export class Pool extends BasePool {
  constructor(options: PoolOptions<unknown[]> = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('new Pool(options): options must be an object like { processes: 4 }')
    const method = options.startMethod === undefined ? getStartMethod() : checkStartMethod(options.startMethod, 'new Pool(options): options.startMethod')
    super(makeCore(processBackend(method), options.processes, 'processes', cpuCount(), options), 'Pool')
  }
}
