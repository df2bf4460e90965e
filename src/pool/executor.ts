/**
 * `ProcessPoolExecutor` and `ThreadPoolExecutor`: Python's
 * `concurrent.futures` executors, on top of Pool and ThreadPool.
 */
import { assertNotBootstrapping, cpuCount } from '../runtime/context.js'
import type { BasePool, BasePoolOptions } from './base-pool.js'
import type { PoolEvents } from './events.js'
import { CancelledError, Future } from './future.js'
import { Pool } from './pool.js'
import { ThreadPool } from './thread-pool.js'
import { StateError } from '../errors.js'

/** Options of the executors. */
export interface ExecutorOptions<I extends unknown[] = never[]> extends BasePoolOptions<I> {
  /** How many workers (default: cpuCount()). */
  maxWorkers?: number
}

/** Options of `shutdown`. */
export interface ShutdownOptions {
  /** Wait until every submitted task has run and the workers exited (default true). */
  wait?: boolean
  /** Cancel the futures whose tasks have not been sent to a worker yet (default false). */
  cancelFutures?: boolean
}

/** Options of `executor.map`. */
export interface ExecutorMapOptions {
  /** Milliseconds from the call after which the next value not yet ready throws TimeoutError. */
  timeout?: number
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the set holds futures of any task type
abstract class Executor {
  readonly #pool: BasePool
  readonly #pending = new Set<Future<any>>()
  #shutdown = false

  /** @internal */
  constructor(pool: BasePool) {
    this.#pool = pool
  }

  /** Runs `fn(...args)` in a worker; returns its Future. Throws after shutdown(). */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    if (this.#shutdown) throw new StateError(`${this.constructor.name}.submit() after shutdown(): create a new executor for more work`)
    const abort = new AbortController()
    const future = new Future<Awaited<R>>(() => abort.abort(new CancelledError()))
    this.#pool._submit(fn, args, {
      _resolve: (v) => { this.#pending.delete(future); future._resolve(v as Awaited<R>) },
      _reject: (e) => { this.#pending.delete(future); future._reject(e) },
    }, abort.signal)
    if (!future.done()) this.#pending.add(future)
    return future
  }

  /** `fn(a[i], b[i], …)` for each position of the iterables, yielded in order. */
  async *map<R>(fn: (...args: never[]) => R, ...iterables: Array<Iterable<unknown>>): AsyncGenerator<Awaited<R>> {
    const lists = iterables.map((it) => [...it])
    const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length))
    const futures: Array<Future<Awaited<R>>> = []
    for (let i = 0; i < n; i++) futures.push(this.submit(fn as (...a: unknown[]) => R, ...lists.map((l) => l[i])))
    try {
      for (const f of futures) yield await f.result()
    } finally {
      for (const f of futures) f.cancel()
    }
  }

  /** Listens to the executor's pool: `'workerCrash'`, `'taskRetry'` (see `Pool.on`). */
  on<E extends keyof PoolEvents>(event: E, listener: (payload: PoolEvents[E]) => void): this {
    this.#pool.on(event, listener)
    return this
  }

  /** Stops `listener` from hearing `event`. */
  off<E extends keyof PoolEvents>(event: E, listener: (payload: PoolEvents[E]) => void): this {
    this.#pool.off(event, listener)
    return this
  }

  /** Stops taking tasks; optionally cancels queued ones and waits for the rest. */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.#shutdown = true
    if (options.cancelFutures === true) for (const f of this.#pending) f.cancel()
    this.#pool.close()
    if (options.wait !== false) await this.#pool.join()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true })
  }
}

/**
 * concurrent.futures' process executor.
 *
 * @example
 * import { ProcessPoolExecutor, isMainProcess } from 'skein'
 * export function square(x: number) { return x * x }
 * if (isMainProcess()) {
 *   await using ex = new ProcessPoolExecutor({ maxWorkers: 2 })
 *   console.log(await ex.submit(square, 4)) // 16
 * }
 */
export class ProcessPoolExecutor extends Executor {
  constructor(options: ExecutorOptions<unknown[]> = {}) {
    assertNotBootstrapping('new ProcessPoolExecutor()')
    const { maxWorkers, ...rest } = options
    super(new Pool({ ...rest, processes: maxWorkers ?? cpuCount() }))
  }
}

/**
 * concurrent.futures' thread executor.
 *
 * @example
 * import { ThreadPoolExecutor, isMainThread } from 'skein'
 * export function square(x: number) { return x * x }
 * if (isMainThread()) {
 *   await using ex = new ThreadPoolExecutor({ maxWorkers: 2 })
 *   for await (const v of ex.map(square, [1, 2, 3])) console.log(v)
 * }
 */
export class ThreadPoolExecutor extends Executor {
  constructor(options: ExecutorOptions<unknown[]> = {}) {
    assertNotBootstrapping('new ThreadPoolExecutor()')
    const { maxWorkers, ...rest } = options
    super(new ThreadPool({ ...rest, threads: maxWorkers ?? cpuCount() }))
  }
}
