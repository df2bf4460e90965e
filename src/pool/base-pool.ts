/**
 * The public face shared by `Pool` and `ThreadPool` (Python's
 * `multiprocessing.pool.Pool` API): apply, map and friends over a
 * {@link PoolCore}.
 */
import { nameFrom, type NameOptions } from '../observe/names.js'
import { AsyncResult, rejecting } from './async-result.js'
import { assertNotBootstrapping } from '../runtime/context.js'
import { autoChunksize, checkChunksize, POOL_CHUNKS_PER_WORKER, slices, toArray } from './chunks.js'
import type { PoolBackend } from './backend.js'
import { PoolCore, type CoreOptions } from './core.js'
import type { PoolEvents } from './events.js'
import type { PoolStats } from './stats.js'
import { checkWorkerCount } from './limits.js'
import type { Sink } from './task.js'
import { ImapStream, Source, type SettledResult } from './imap.js'
import { CALL, MAP, STARMAP, type Kind } from './protocol.js'
import { checkProgress, Progress, type ProgressOption } from './progress.js'

/** A task function: a plain exported function, sync or async. */
export type TaskFunction<A extends unknown[] = never[], R = unknown> = (...args: A) => R

/** Options of `applyAsync`. */
export interface ApplyOptions<R> {
  /** Called with the value when the task succeeds. */
  callback?: (value: R) => void
  /** Called with the error when the task fails. */
  errorCallback?: (error: unknown) => void
  /** Aborting it while the task still waits for a worker removes it (rejects with the signal's reason); a running task is not stopped. */
  signal?: AbortSignal
}

/** Options of `map`, `starmap`, `imap`, `imapUnordered`. */
export interface MapOptions {
  /** Items per task sent to a worker; default: Python's automatic size for map/starmap, 1 for imap. */
  chunksize?: number
  /**
   * `true`: draw a progress bar with rate and ETA on stderr when stdout is
   * a TTY (nothing otherwise). A function: called with `{ done, total }`
   * each time items finish, TTY or not (logs, a web page, a CI job).
   */
  progress?: ProgressOption
}

/**
 * Options of `imap` / `imapUnordered`.
 *
 * @example
 * import type { PoolImapOptions } from 'skein'
 * const options: PoolImapOptions = { chunksize: 10, settled: true }
 */
export interface PoolImapOptions extends MapOptions {
  /**
   * Yield every item's outcome as `{ value }` or `{ error }` (as
   * `Promise.allSettled` reports), so a `for await` loop goes on past a
   * failed task. Without it, `next()` rejects for a failed item and the
   * next `next()` carries on (Python's `next()`), which ends a `for await`.
   */
  settled?: boolean
}

/** Options of `mapAsync` / `starmapAsync`. */
export interface MapAsyncOptions<R> extends MapOptions {
  callback?: (values: R[]) => void
  errorCallback?: (error: unknown) => void
}

/** Options common to both pools. */
export interface BasePoolOptions<I extends unknown[] = never[]> extends NameOptions {
  /** Runs once in every worker before its first task (an exported function, sync or async). */
  initializer?: (...args: I) => unknown
  /** The initializer's arguments. */
  initargs?: I
  /** A worker is replaced by a fresh one after this many tasks (a map chunk counts as one); default: never. */
  maxTasksPerChild?: number | null
  /**
   * How many times a task may run when workers die under it (default 1:
   * it rejects with WorkerCrashedError and never runs twice). Above 1 a
   * task whose worker died runs again on another, with a 'taskRetry'
   * event, so it may run more than once: use it for tasks safe to repeat.
   */
  maxAttempts?: number
}

/** @internal `args` of apply: an array, or none. */
export function checkArgs(args: unknown, kind: string): unknown[] {
  if (args === undefined) return []
  if (!Array.isArray(args)) throw new TypeError(`${kind}.apply(fn, args): args must be an array of the function's arguments`)
  return args
}

/** @internal Validates the options common to both pools and builds the core. */
export function makeCore(backend: PoolBackend, size: number | undefined, sizeName: string, fallback: number, options: BasePoolOptions<unknown[]>): PoolCore {
  // A pool made at the top level of a module its own workers import would make pools in them, without end.
  assertNotBootstrapping(`new ${backend.kind}()`)
  const n = size ?? fallback
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`${backend.kind}: ${sizeName} must be a positive integer (got ${String(n)}); it is how many workers run tasks — omit it for one per CPU`)
  }
  checkWorkerCount(n, `${backend.kind}: ${sizeName}`, backend.fdsPerWorker)
  const max = options.maxTasksPerChild
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    throw new RangeError(`${backend.kind}: maxTasksPerChild must be a positive integer (got ${String(max)}); omit it (or pass null) to keep workers for the pool's whole life`)
  }
  const attempts = options.maxAttempts
  if (attempts !== undefined && (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1)) {
    throw new RangeError(`${backend.kind}: maxAttempts must be a positive integer (got ${String(attempts)}); it is how many times a task may run when workers die under it — omit it for 1 (never twice)`)
  }
  if (options.initializer !== undefined && typeof options.initializer !== 'function') {
    throw new TypeError(`${backend.kind}: initializer must be a function exported from its module, got ${typeof options.initializer}`)
  }
  if (options.initargs !== undefined && !Array.isArray(options.initargs)) {
    throw new TypeError(`${backend.kind}: initargs must be an array of the initializer's arguments`)
  }
  const name = nameFrom({ name: options.name }, backend.kind, `new ${backend.kind}()`)
  return new PoolCore(backend, n, { ...options, name } as CoreOptions)
}

/**
 * The methods of `Pool` and `ThreadPool`.
 *
 * @example
 * import { ThreadPool } from 'skein'
 * import { square } from './work.js' // export function square(x: number) { return x * x }
 * const pool = new ThreadPool({ threads: 2 })
 * console.log(await pool.map(square, [1, 2, 3])) // [1, 4, 9]
 * pool.close(); await pool.join()
 */
export class BasePool {
  readonly #core: PoolCore
  readonly #kind: string

  /** @internal */
  constructor(core: PoolCore, kind: string) {
    this.#core = core
    this.#kind = kind
  }

  /** How many workers the pool keeps. */
  get size(): number {
    return this.#core.size
  }

  /** Runs `fn(...args)` in a worker and resolves with its value. */
  apply<A extends unknown[], R>(fn: TaskFunction<A, R>, args?: A): Promise<Awaited<R>> {
    return rejecting(() => {
      this.#core.checkOpen()
      const list = checkArgs(args, this.#kind)
      let sink!: Sink
      const promise = new Promise<Awaited<R>>((resolve, reject) => { sink = { _resolve: resolve as (v: unknown) => void, _reject: reject } })
      this.#core.submit(fn, CALL, list, sink)
      return promise
    })
  }

  /** Submits `fn(...args)`; the AsyncResult resolves with its value (or error), calling `callback`/`errorCallback` first. */
  applyAsync<A extends unknown[], R>(fn: TaskFunction<A, R>, args?: A, options: ApplyOptions<Awaited<R>> = {}): AsyncResult<Awaited<R>> {
    this.#core.checkOpen()
    const list = checkArgs(args, this.#kind)
    const result = new AsyncResult<Awaited<R>>(options.callback, options.errorCallback)
    this.#core.submit(fn, CALL, list, result as Sink, options.signal)
    return result
  }

  /** @internal The pool's state now (workers alive and busy, backlog, tasks done and failed): see stats.ts. */
  _stats(): PoolStats {
    return this.#core.stats()
  }

  /** @internal Submits `fn(...args)` with a raw sink (called synchronously, e.g. when a signal removes the task). */
  _submit(fn: Function, args: unknown[], sink: Sink, signal?: AbortSignal): void {
    this.#core.checkOpen()
    this.#core.submit(fn, CALL, args, sink, signal)
  }

  /** `fn(item)` for every item, in order, in chunks; rejects with the first error. */
  map<T, R>(fn: (item: T) => R, iterable: Iterable<T>, options: MapOptions = {}): Promise<Array<Awaited<R>>> {
    return rejecting(() => this.mapAsync(fn, iterable, options).get())
  }

  /** `map` that returns an AsyncResult of the list. */
  mapAsync<T, R>(fn: (item: T) => R, iterable: Iterable<T>, options: MapAsyncOptions<Awaited<R>> = {}): AsyncResult<Array<Awaited<R>>> {
    return this.#gather(fn, MAP, iterable, options, 'mapAsync')
  }

  /** `fn(...args)` for every argument list, in order; rejects with the first error. */
  starmap<A extends unknown[], R>(fn: TaskFunction<A, R>, iterable: Iterable<A>, options: MapOptions = {}): Promise<Array<Awaited<R>>> {
    return rejecting(() => this.starmapAsync(fn, iterable, options).get())
  }

  /** `starmap` that returns an AsyncResult of the list. */
  starmapAsync<A extends unknown[], R>(fn: TaskFunction<A, R>, iterable: Iterable<A>, options: MapAsyncOptions<Awaited<R>> = {}): AsyncResult<Array<Awaited<R>>> {
    return this.#gather(fn as Function, STARMAP, iterable, options, 'starmapAsync')
  }

  /**
   * Yields `fn(item)` for every item in order, as soon as each is ready
   * (chunksize 1 unless given). The items are read as workers need them, a
   * bounded look-ahead at a time (see imap.ts); `iterable` may be async. A
   * failed item rejects its `next()` and the iteration can carry on; with
   * `{ settled: true }` every item comes as `{ value }` or `{ error }`.
   *
   * @example
   * import { ThreadPool } from 'skein'
   * import { checkOrder } from './work.js' // export function checkOrder(id: number) { if (id < 0) throw new RangeError(`bad id ${id}`); return id * 10 }
   * await using pool = new ThreadPool({ threads: 2 })
   * for await (const r of pool.imap(checkOrder, [1, -2, 3], { settled: true })) {
   *   console.log('error' in r ? `failed: ${(r.error as Error).message}` : r.value) // 10, 'failed: bad id -2', 30
   * }
   */
  imap<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>, options: PoolImapOptions & { settled: true }): AsyncIterableIterator<SettledResult<Awaited<R>>>
  imap<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>, options?: PoolImapOptions): AsyncIterableIterator<Awaited<R>>
  imap(fn: Function, iterable: unknown, options: PoolImapOptions = {}): AsyncIterableIterator<unknown> {
    return this.#stream(fn, iterable, options, true, 'imap')
  }

  /** Yields `fn(item)` for every item in the order they finish; the items are read lazily, and failures handled, as for `imap`. */
  imapUnordered<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>, options: PoolImapOptions & { settled: true }): AsyncIterableIterator<SettledResult<Awaited<R>>>
  imapUnordered<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>, options?: PoolImapOptions): AsyncIterableIterator<Awaited<R>>
  imapUnordered(fn: Function, iterable: unknown, options: PoolImapOptions = {}): AsyncIterableIterator<unknown> {
    return this.#stream(fn, iterable, options, false, 'imapUnordered')
  }

  /**
   * Listens to the pool: `'workerCrash'` when a worker dies without being
   * asked to stop (what it held: failed, retried, requeued), `'taskRetry'`
   * when a task whose worker died runs again (`maxAttempts` above 1). A
   * listener that throws is printed on stderr; the pool goes on.
   *
   * @example
   * import { Pool } from 'skein'
   * import { work } from './work.js'
   * await using pool = new Pool({ processes: 2, maxAttempts: 3 })
   * pool.on('workerCrash', (c) => console.warn(`worker ${c.worker} ${c.reason}: ${c.retried} to retry, ${c.failed} failed`))
   * pool.on('taskRetry', (r) => console.warn(`${r.task}: run ${r.attempt} of ${r.maxAttempts}`))
   * await pool.map(work, [1, 2, 3])
   */
  on<E extends keyof PoolEvents>(event: E, listener: (payload: PoolEvents[E]) => void): this {
    this.#core.listeners.on(event, listener)
    return this
  }

  /** Stops `listener` from hearing `event`. */
  off<E extends keyof PoolEvents>(event: E, listener: (payload: PoolEvents[E]) => void): this {
    this.#core.listeners.off(event, listener)
    return this
  }

  /** No more tasks; the workers exit once every queued task has run. */
  close(): void {
    this.#core.close()
  }

  /** Stops the workers now (SIGKILL / thread terminate); every task not finished rejects with PoolTerminatedError. */
  terminate(): void {
    this.#core.terminate()
  }

  /** Waits until every worker has exited; call close() or terminate() first. */
  join(): Promise<void> {
    return this.#core.join()
  }

  /** `await using pool = …`: close() then join() — queued tasks finish (Python's `with` terminates instead; see docs/pools.md). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#core.state === 'running') this.#core.close()
    await this.#core.join()
  }

  #chunks(items: unknown[], kind: Kind, options: MapOptions, fallback: number | undefined, where: string): Array<unknown[] | Float64Array> {
    const size = checkChunksize(options.chunksize, `${this.#kind}.${where}`) ?? fallback ?? autoChunksize(items.length, this.#core.size, POOL_CHUNKS_PER_WORKER)
    return slices(items, Math.max(1, size), kind === MAP)
  }

  #gather(fn: Function, kind: Kind, iterable: Iterable<unknown>, options: MapAsyncOptions<any>, where: string): AsyncResult<any[]> {
    this.#core.checkOpen()
    const items = toArray(iterable, `${this.#kind}.${where}`)
    const chunks = this.#chunks(items, kind, options, undefined, where)
    const progress = Progress.start(items.length, checkProgress(options.progress, `${this.#kind}.${where}`) ?? false)
    const out = new Array<unknown>(items.length)
    const result = new AsyncResult<any[]>(options.callback, options.errorCallback)
    let left = chunks.length
    if (left === 0) result._resolve(out)
    let offset = 0
    const sinks: Sink[] = chunks.map((chunk) => {
      const at = offset
      offset += chunk.length
      return {
        _resolve(values: unknown) {
          const list = values as ArrayLike<unknown>
          for (let i = 0; i < list.length; i++) out[at + i] = list[i]
          progress?.advance(list.length)
          if (--left === 0) { progress?.stop(); result._resolve(out) }
        },
        _reject(error: unknown) {
          progress?.stop()
          result._reject(error)
        },
      }
    })
    chunks.forEach((chunk, i) => this.#core.submit(fn, kind, chunk, sinks[i]))
    return result
  }

  #stream(fn: Function, iterable: unknown, options: PoolImapOptions, ordered: boolean, where: string): ImapStream {
    this.#core.checkOpen()
    const source = Source.of(iterable, `${this.#kind}.${where}`)
    const size = checkChunksize(options.chunksize, `${this.#kind}.${where}`) ?? 1
    if (options.settled !== undefined && typeof options.settled !== 'boolean') throw new TypeError(`${this.#kind}.${where}: options.settled must be a boolean (true: yield { value } or { error } for every item)`)
    // An array's length is the bar's total; other sources grow it as they are read.
    const known = Array.isArray(iterable) ? iterable.length : undefined
    const progress = Progress.start(known ?? 0, checkProgress(options.progress, `${this.#kind}.${where}`) ?? false)
    return new ImapStream(this.#core, fn, source, size, ordered, options.settled === true, progress, known === undefined)
  }
}
