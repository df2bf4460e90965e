/**
 * Future: Python's `concurrent.futures.Future` — the pending result of one
 * `executor.submit(…)`; also a thenable, so `await future` works.
 */
import { SkeinError, TimeoutError } from '../errors.js'

/**
 * A future was cancelled before it ran (`future.cancel()` or `shutdown({ cancelFutures: true })`).
 *
 * @example
 * import { CancelledError } from 'skein'
 * console.log(new CancelledError().code) // ERR_SKEIN_CANCELLED
 */
export class CancelledError extends SkeinError {
  constructor(message = 'the future was cancelled before it ran: submit the task again if it is still needed') {
    super(message, 'ERR_SKEIN_CANCELLED')
  }
}

type State = 'pending' | 'cancelled' | 'finished'

/**
 * The result of a submitted task.
 *
 * @example
 * import { ThreadPoolExecutor } from 'skein'
 * import { square } from './work.js' // export function square(x: number) { return x * x }
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 2 })
 * const f = ex.submit(square, 6)
 * console.log(await f.result(5000), f.done(), await f) // 36 true 36
 */
export class Future<T> implements PromiseLike<T> {
  #state: State = 'pending'
  #ok = false
  #value: T | undefined
  #error: unknown
  readonly #settled: Promise<void>
  #settle!: () => void
  readonly #cancel: () => void
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- keeps Future covariant in T
  readonly #callbacks: Array<(f: any) => void> = []

  /** @internal Built by an executor; `cancel` tries to remove the task (the outcome arrives through `_reject` synchronously if it did). */
  constructor(cancel: () => void) {
    this.#cancel = cancel
    this.#settled = new Promise((resolve) => { this.#settle = resolve })
  }

  /** @internal */
  _resolve(value: T): void {
    if (this.#state !== 'pending') return
    this.#state = 'finished'
    this.#ok = true
    this.#value = value
    this.#finish()
  }

  /** @internal */
  _reject(error: unknown): void {
    if (this.#state !== 'pending') return
    this.#state = error instanceof CancelledError ? 'cancelled' : 'finished'
    this.#error = error
    this.#finish()
  }

  #finish(): void {
    this.#settle()
    for (const fn of this.#callbacks.splice(0)) callSafely(fn, this)
  }

  /** Cancels the task if it has not been sent to a worker yet; true if it is (now) cancelled. */
  cancel(): boolean {
    if (this.#state === 'pending') this.#cancel()
    return this.#state === 'cancelled'
  }

  /** True once cancelled. */
  cancelled(): boolean {
    return this.#state === 'cancelled'
  }

  /** True once finished or cancelled. */
  done(): boolean {
    return this.#state !== 'pending'
  }

  /** The task's value; rejects with its error, CancelledError, or TimeoutError after `timeout` ms (the task goes on). */
  async result(timeout?: number): Promise<T> {
    await this.#wait(timeout, 'result')
    if (this.#ok) return this.#value as T
    throw this.#error
  }

  /** The task's error, or null if it succeeded; rejects with CancelledError or TimeoutError. */
  async exception(timeout?: number): Promise<unknown> {
    await this.#wait(timeout, 'exception')
    if (this.#state === 'cancelled') throw this.#error
    return this.#ok ? null : this.#error
  }

  /** Calls `fn(future)` once it is done (at once if it already is). */
  addDoneCallback(fn: (future: Future<T>) => void): void {
    if (this.#state === 'pending') this.#callbacks.push(fn)
    else callSafely(fn, this)
  }

  then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.result().then(onFulfilled, onRejected)
  }

  /** @internal Resolves when done (no value, never rejects). */
  get _settled(): Promise<void> {
    return this.#settled
  }

  async #wait(timeout: number | undefined, method: string): Promise<void> {
    if (this.#state !== 'pending') return
    if (timeout === undefined) return this.#settled
    if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) throw new RangeError(`Future.${method}(timeout): timeout must be a non-negative number of milliseconds`)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(resolve, timeout, 'late') })
    const outcome = await Promise.race([this.#settled, late])
    clearTimeout(timer)
    if (outcome === 'late') throw new TimeoutError(`Future.${method}(${timeout}): the task has not finished yet; it keeps running — wait again, or cancel() it if it has not started`)
  }
}

function callSafely<F>(fn: (f: F) => void, future: F): void {
  try {
    fn(future)
  } catch (error) {
    process.stderr.write(`skein executor: a done callback threw: ${(error as Error)?.stack ?? String(error)}\n`)
  }
}
