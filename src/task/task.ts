/**
 * `Task` and `spawn`: gevent's Greenlet for async functions of one thread.
 *
 * How it works: a task is a small state machine (pending → ok | failed) plus
 * an AbortController whose signal is handed to the function. Two moments are
 * tracked separately: *settled* (the task has its value or error; `await`,
 * `join` and `joinAll` wake up) and *exited* (the function has actually
 * returned; `kill()`'s promise, `TaskGroup` and `TaskPool` slots wait for it).
 * They differ only after `kill()`, which settles at once while the function
 * may still be winding down. No promise is created until someone observes the
 * task, so a failed task nobody awaits never raises an unhandled rejection.
 */
import { checkFunction, checkTimeout } from './validate.js'
import { after, noop } from './timer.js'

const PENDING = 0
const OK = 1
const FAILED = 2

/** @internal Registers a callback for when the task settles (called at once if it has). */
export const kOnSettled: unique symbol = Symbol('skein.task.onSettled')
/** @internal Registers a callback for when the function has returned (called at once if it has). */
export const kOnExit: unique symbol = Symbol('skein.task.onExit')
/** @internal True when the task ended through kill(). */
export const kKilled: unique symbol = Symbol('skein.task.killed')
/** @internal Schedules a deferred task's function; false if it was killed first. */
export const kStart: unique symbol = Symbol('skein.task.start')
/** @internal Aborts the signal without settling the task (TaskGroup cancellation). */
export const kCancel: unique symbol = Symbol('skein.task.cancel')
/** @internal Creates a task, started at once (on a microtask) or deferred until kStart. */
export const kCreate: unique symbol = Symbol('skein.task.create')

/** A function run as a task: it receives the task's AbortSignal first, then the arguments. */
export type TaskFunction<A extends unknown[], R> = (signal: AbortSignal, ...args: A) => R

/** One callback, or several: most tasks have exactly one observer, so no array. */
type Callbacks = (() => void) | Array<() => void> | null

function addCallback(cbs: Callbacks, cb: () => void): Callbacks {
  if (cbs === null) return cb
  if (typeof cbs === 'function') return [cbs, cb]
  cbs.push(cb)
  return cbs
}

function runCallbacks(cbs: Callbacks): void {
  if (cbs === null) return
  if (typeof cbs === 'function') cbs()
  else for (const cb of cbs) cb()
}

type AnyFn = (signal: AbortSignal, ...args: never[]) => unknown

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function'
}

/**
 * A function running concurrently in this thread: gevent's `Greenlet`.
 *
 * Create one with {@link spawn}. The function starts on a microtask (gevent
 * starts a greenlet at the next switch), so code right after `spawn()` runs
 * first and can still `kill()` it before it starts. A task is awaitable:
 * `await task` gives the value or throws the error. A failure that nobody
 * observes is kept in `exception` and never crashes the process.
 *
 * `kill(reason)` is gevent's `GreenletExit`: the task ends at once with
 * `reason` as its `exception` (`await task` rejects with it), and the signal
 * given to the function aborts with the same reason so the work can stop.
 * JavaScript cannot interrupt a function, so it keeps running until it sees
 * the signal; `await task.kill()` waits for that (gevent's `kill(block=True)`).
 *
 * @example
 * import { spawn } from 'skein'
 * const t = spawn(async (_signal, a: number, b: number) => a + b, 2, 3)
 * console.log(await t, t.ready(), t.successful()) // 5 true true
 */
export class Task<T = unknown> implements PromiseLike<T> {
  #state = PENDING
  #value: T | undefined = undefined
  #error: unknown = undefined
  #killed = false
  #exited = false
  #fn: AnyFn | null
  #args: unknown[] | null
  #ctl: AbortController | null = null // created when the function starts
  #settledCbs: Callbacks = null
  #exitCbs: Callbacks = null

  private constructor(fn: AnyFn, args: unknown[], start: boolean) {
    this.#fn = fn
    this.#args = args
    if (start) queueMicrotask(() => this.#run())
  }

  /** @internal */
  static [kCreate]<T>(fn: AnyFn, args: unknown[], start: boolean): Task<T> {
    return new Task<T>(fn, args, start)
  }

  /** @internal */
  [kStart](): boolean {
    if (this.#fn === null) return false
    queueMicrotask(() => this.#run())
    return true
  }

  /** @internal */
  [kOnSettled](cb: () => void): void {
    if (this.#state !== PENDING) cb()
    else this.#settledCbs = addCallback(this.#settledCbs, cb)
  }

  /** @internal */
  [kOnExit](cb: () => void): void {
    if (this.#exited) cb()
    else this.#exitCbs = addCallback(this.#exitCbs, cb)
  }

  /**
   * @internal Asks the function to stop by aborting its signal, but lets it
   * end the task with whatever it returns or throws (asyncio's cancel). A
   * task that has not started yet is killed instead, so it never runs.
   */
  [kCancel](reason: unknown): void {
    if (this.#state !== PENDING) return
    if (this.#fn !== null) void this.kill(reason)
    else this.#ctl?.abort(reason)
  }

  /** @internal */
  get [kKilled](): boolean {
    return this.#killed
  }

  #run(): void {
    const fn = this.#fn
    const args = this.#args as never[]
    if (fn === null) return // killed before it started; already exited
    this.#fn = null
    this.#args = null
    let r: unknown
    try {
      r = fn((this.#ctl = new AbortController()).signal, ...args)
    } catch (e) {
      this.#settle(FAILED, e)
      this.#exit()
      return
    }
    let thenable: boolean
    try {
      thenable = isThenable(r)
    } catch (e) {
      // A value whose `then` getter throws fails the task with that error, as a Promise resolved with it would.
      this.#settle(FAILED, e)
      this.#exit()
      return
    }
    if (!thenable) {
      this.#settle(OK, r)
      this.#exit()
      return
    }
    const ok = (v: unknown): void => { this.#settle(OK, v); this.#exit() }
    const fail = (e: unknown): void => { this.#settle(FAILED, e); this.#exit() }
    try {
      (r as PromiseLike<unknown>).then(ok, fail)
    } catch (e) {
      fail(e)
    }
  }

  #settle(state: typeof OK | typeof FAILED, v: unknown): void {
    if (this.#state !== PENDING) return
    this.#state = state
    if (state === OK) this.#value = v as T
    else this.#error = v
    const cbs = this.#settledCbs
    this.#settledCbs = null
    runCallbacks(cbs)
  }

  #exit(): void {
    if (this.#exited) return
    this.#exited = true
    const cbs = this.#exitCbs
    this.#exitCbs = null
    runCallbacks(cbs)
  }

  /**
   * Whether the task has finished (with a value, an error, or killed).
   *
   * @example
   * import { spawn } from 'skein'
   * const t = spawn(() => 1)
   * console.log(t.ready()) // false: it starts on a microtask
   * await t; console.log(t.ready()) // true
   */
  ready(): boolean {
    return this.#state !== PENDING
  }

  /**
   * Whether the task finished with a value (not an error, not killed).
   *
   * @example
   * import { spawn } from 'skein'
   * const t = spawn(() => { throw new Error('no') })
   * await t.join(); console.log(t.successful()) // false
   */
  successful(): boolean {
    return this.#state === OK
  }

  /**
   * The function's result once the task succeeded; `undefined` before and on failure.
   *
   * @example
   * import { spawn } from 'skein'
   * const t = spawn(async () => 'hi'); await t.join(); console.log(t.value) // 'hi'
   */
  get value(): T | undefined {
    return this.#value
  }

  /**
   * What the task failed with (its error, or the `kill()` reason); `undefined` otherwise.
   *
   * @example
   * import { spawn } from 'skein'
   * const t = spawn(() => { throw new Error('boom') }); await t.join()
   * console.log((t.exception as Error).message) // boom
   */
  get exception(): unknown {
    return this.#error
  }

  /**
   * Waits until the task is ready or `timeout` ms pass; resolves `true` if it
   * is ready, `false` at the timeout. Never rejects with the task's error
   * (read `exception`); rejects with a RangeError for a bad timeout.
   *
   * @example
   * import { spawn, sleep } from 'skein'
   * const t = spawn((signal) => sleep(1000, { signal }))
   * console.log(await t.join(10)) // false
   * t.kill(); console.log(await t.join()) // true
   */
  join(timeout?: number): Promise<boolean> {
    let ms: number | null
    try {
      ms = checkTimeout(timeout, 'Task.join(timeout)')
    } catch (e) {
      return Promise.reject(e)
    }
    if (this.#state !== PENDING) return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      const cancel = ms === null ? noop : after(ms, () => resolve(false))
      this[kOnSettled](() => { cancel(); resolve(true) })
    })
  }

  /**
   * Ends the task now with `reason` (default: an `AbortError` DOMException)
   * and aborts the function's signal with it. Does nothing if the task is
   * already ready. The returned promise resolves (never rejects) once the
   * function has actually returned; a function that ignores its signal keeps
   * it pending. A task killed before it started never runs.
   *
   * @example
   * import { spawn, sleep } from 'skein'
   * const t = spawn((signal) => sleep(60_000, { signal }))
   * await t.kill(new Error('stop'))
   * console.log((t.exception as Error).message) // stop
   */
  kill(reason?: unknown): Promise<void> {
    if (this.#state === PENDING) {
      const r = reason === undefined ? new DOMException('the task was killed with kill()', 'AbortError') : reason
      this.#killed = true
      this.#settle(FAILED, r)
      if (this.#fn !== null) {
        this.#fn = null
        this.#args = null
        this.#exit()
      }
      this.#ctl?.abort(r)
    }
    if (this.#exited) return Promise.resolve()
    return new Promise<void>((resolve) => this[kOnExit](resolve))
  }

  /**
   * Makes the task awaitable: fulfils with the value or rejects with the error.
   *
   * @example
   * import { spawn } from 'skein'
   * spawn(() => 7).then((v) => console.log(v)) // 7
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    let p: Promise<T>
    if (this.#state === OK) p = Promise.resolve(this.#value as T)
    else if (this.#state === FAILED) p = Promise.reject(this.#error)
    else {
      p = new Promise<T>((resolve, reject) => {
        this[kOnSettled](() => (this.#state === OK ? resolve(this.#value as T) : reject(this.#error)))
      })
    }
    return p.then(onfulfilled, onrejected)
  }
}

/**
 * Runs `fn(signal, ...args)` as a new {@link Task} (gevent's `spawn`).
 *
 * `fn` may be sync or async; it starts on a microtask. Throws a TypeError if
 * `fn` is not a function. Errors thrown by `fn` never escape `spawn`: they
 * end the task and are rethrown by `await task`.
 *
 * @example
 * import { spawn } from 'skein'
 * const t = spawn(async (signal, url: string) => url.length, 'https://example.com')
 * console.log(await t) // 19
 */
export function spawn<A extends unknown[], R>(fn: TaskFunction<A, R>, ...args: A): Task<Awaited<R>> {
  checkFunction(fn, 'spawn(fn, ...args)')
  return Task[kCreate]<Awaited<R>>(fn as unknown as AnyFn, args, true)
}
