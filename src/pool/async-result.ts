/**
 * AsyncResult: the handle of a task submitted with `applyAsync`, `mapAsync`
 * or `starmapAsync` (Python's `multiprocessing.pool.AsyncResult`).
 */
import { TimeoutError, StateError } from '../errors.js'

/**
 * The pending result of a pool task.
 *
 * @example
 * import { ThreadPool } from 'skein'
 * import { square } from './work.js' // export function square(x: number) { return x * x }
 * await using pool = new ThreadPool({ threads: 2 })
 * const r = pool.applyAsync(square, [7])
 * console.log(await r.get(5000), r.ready(), r.successful()) // 49 true true
 */
export class AsyncResult<T> {
  readonly #promise: Promise<T>
  #state: 'pending' | 'fulfilled' | 'rejected' = 'pending'
  #resolve!: (value: T) => void
  #reject!: (error: unknown) => void
  readonly #callback: ((value: T) => void) | undefined
  readonly #errorCallback: ((error: unknown) => void) | undefined

  /** @internal Built by the pool, which settles it through `_resolve` / `_reject`. */
  constructor(callback?: (value: T) => void, errorCallback?: (error: unknown) => void) {
    this.#promise = new Promise<T>((resolve, reject) => { this.#resolve = resolve; this.#reject = reject })
    this.#callback = callback
    this.#errorCallback = errorCallback
  }

  /** @internal */
  _resolve(value: T): void {
    if (this.#state !== 'pending') return
    this.#state = 'fulfilled'
    if (this.#callback) callSafely(this.#callback, value, 'callback')
    this.#resolve(value)
  }

  /** @internal */
  _reject(error: unknown): void {
    if (this.#state !== 'pending') return
    this.#state = 'rejected'
    // Nobody may ever call get(): a rejection must not become an unhandled one.
    this.#promise.catch(() => {})
    if (this.#errorCallback) callSafely(this.#errorCallback, error, 'errorCallback')
    this.#reject(error)
  }

  /**
   * The result: resolves with the task's value or rejects with its error.
   * With `timeout` (ms), rejects with skein's `TimeoutError` if the task has
   * not finished by then; the task keeps running and a later `get()` can
   * still return its value.
   */
  get(timeout?: number): Promise<T> {
    const bad = timeout === undefined ? undefined : badTimeout(timeout, 'get')
    if (bad !== undefined) return Promise.reject(bad)
    if (timeout === undefined || this.#state !== 'pending') return this.#promise
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError(`AsyncResult.get(${timeout}): the task has not finished yet; it keeps running — call get() again to wait longer`)), timeout)
      this.#promise.then((v) => { clearTimeout(timer); resolve(v) }, (e: unknown) => { clearTimeout(timer); reject(e) })
    })
  }

  /** Waits until the task finished (or `timeout` ms passed); resolves with `ready()`. Never rejects for the task's error. */
  wait(timeout?: number): Promise<boolean> {
    const bad = timeout === undefined ? undefined : badTimeout(timeout, 'wait')
    if (bad !== undefined) return Promise.reject(bad)
    if (this.#state !== 'pending') return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      const timer = timeout === undefined ? undefined : setTimeout(() => resolve(this.ready()), timeout)
      const done = () => { clearTimeout(timer); resolve(true) }
      this.#promise.then(done, done)
    })
  }

  /** Whether the task has finished (either way). */
  ready(): boolean {
    return this.#state !== 'pending'
  }

  /** Whether the task finished without an error; throws if it has not finished yet (as Python's ValueError). */
  successful(): boolean {
    if (this.#state === 'pending') throw new StateError('AsyncResult.successful() called before the task finished: check ready() or await wait() first')
    return this.#state === 'fulfilled'
  }
}

/** The error a bad timeout gets (as a rejection: get() and wait() return promises, and never throw). */
function badTimeout(timeout: number, method: string): RangeError | undefined {
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) return new RangeError(`AsyncResult.${method}(timeout): timeout must be a non-negative number of milliseconds (got ${String(timeout)})`)
  return undefined
}

/** A throwing callback is reported on stderr; it must not break the pool (Python prints it too). */
function callSafely<V>(fn: (v: V) => void, value: V, what: string): void {
  try {
    fn(value)
  } catch (error) {
    process.stderr.write(`skein pool: the ${what} threw: ${(error as Error)?.stack ?? String(error)}\n`)
  }
}

/** @internal `start()`'s promise, with a synchronous throw (bad arguments, a closed pool) turned into its rejection, as an async method's would be. */
export function rejecting<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start()
  } catch (error) {
    return Promise.reject(error)
  }
}
