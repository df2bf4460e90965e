/**
 * `TaskGroup`: structured concurrency — asyncio's `TaskGroup`, trio's
 * nursery, gevent's `Group`.
 *
 * How it works: the group keeps the set of its tasks whose functions have not
 * yet returned. A task that fails on its own is recorded; the first such
 * failure moves the group from OPEN to CANCELLING and *cancels* every other
 * task — aborts its signal with an `AbortError` whose `cause` is that
 * failure — without settling it, as asyncio does: a cancelled task still ends
 * with what its function returns or throws. Failures with the cancellation
 * reason or any `AbortError` are the expected answer to cancelling and are
 * not recorded; any other error is (so several failures are possible).
 * `wait()` resolves once the set is empty — every function has really
 * returned — then the group is CLOSED and the recorded errors are rethrown.
 */
import { abortReason, StateError } from '../errors.js'
import { Task, kCancel, kCreate, kKilled, kOnExit, kOnSettled, type TaskFunction } from './task.js'
import { after, noop } from './timer.js'
import { checkFunction, checkSignal, checkTimeout } from './validate.js'

const OPEN = 0
const CANCELLING = 1
const CLOSED = 2

/** Options of {@link TaskGroup}. */
export interface TaskGroupOptions {
  /** Aborting it kills every task of the group; `wait()` then rejects with its reason. */
  signal?: AbortSignal
}

/**
 * A set of tasks that finish together: `wait()` (or leaving an
 * `await using` block) waits for all of them.
 *
 * The first task that throws makes the group cancel the others (abort their
 * signals), wait for their functions to return, and rethrow that error from
 * `wait()`; if several tasks failed (say one failed, and another failed
 * differently while cancelling), `wait()` throws an `AggregateError` of them
 * all. Tasks that end with the cancellation (an `AbortError`), or that were
 * killed with `task.kill()`, are not errors. `kill()` stops
 * every task and lets `wait()` resolve; the `signal` option does the same but
 * makes `wait()` reject with the signal's reason. After `wait()` finished the
 * group is closed and `spawn()` throws. A task that ignores its signal keeps
 * `wait()` waiting, as in asyncio.
 *
 * `await using` cannot see an error thrown by the block itself: the block's
 * tasks are still awaited. Call `g.kill()` in a `catch` if they should stop.
 *
 * @example
 * import { TaskGroup, sleep } from 'skein'
 * {
 *   await using g = new TaskGroup()
 *   g.spawn(async (signal) => { await sleep(5, { signal }); console.log('a') })
 *   g.spawn(async (signal) => { await sleep(1, { signal }); console.log('b') })
 * } // prints b, a; both done here
 */
export class TaskGroup implements AsyncDisposable {
  #state = OPEN
  readonly #live = new Set<Task<unknown>>()
  readonly #errors: unknown[] = []
  readonly #signal: AbortSignal | undefined
  #onAbort: (() => void) | null = null
  #reason: unknown = undefined
  #wait: Promise<void> | null = null
  #idle: Array<() => void> = []

  /**
   * Creates an empty, open group.
   *
   * @example
   * import { TaskGroup } from 'skein'
   * const g = new TaskGroup({ signal: AbortSignal.timeout(1000) })
   */
  constructor(options: TaskGroupOptions = {}) {
    this.#signal = checkSignal(options?.signal, 'new TaskGroup(options)')
    const signal = this.#signal
    if (signal === undefined) return
    if (signal.aborted) this.#state = CANCELLING
    else {
      this.#onAbort = () => this.#cancel(abortReason(signal))
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
  }

  /**
   * Number of tasks whose functions are still running.
   *
   * @example
   * import { TaskGroup } from 'skein'
   * const g = new TaskGroup(); g.spawn(() => 1); console.log(g.size) // 1
   */
  get size(): number {
    return this.#live.size
  }

  /**
   * Runs `fn(signal, ...args)` as a task of this group and returns it.
   * Throws a TypeError for a non-function, and an Error once the group is
   * cancelling or closed.
   *
   * @example
   * import { TaskGroup } from 'skein'
   * const g = new TaskGroup()
   * const t = g.spawn(async (_signal, x: number) => x * 2, 21)
   * await g.wait(); console.log(t.value) // 42
   */
  spawn<A extends unknown[], R>(fn: TaskFunction<A, R>, ...args: A): Task<Awaited<R>> {
    checkFunction(fn, 'TaskGroup.spawn(fn, ...args)')
    if (this.#state === CLOSED) {
      throw new StateError('TaskGroup.spawn(): this TaskGroup is closed (its wait() finished); create a new TaskGroup for more work')
    }
    if (this.#state === CANCELLING) {
      throw new StateError('TaskGroup.spawn(): this TaskGroup is shutting down (a task failed, or it was killed or aborted); create a new TaskGroup for more work')
    }
    const task = Task[kCreate]<Awaited<R>>(fn as unknown as (signal: AbortSignal) => unknown, args, true)
    this.#live.add(task)
    task[kOnSettled](() => {
      if (task.successful() || task[kKilled]) return
      const e = task.exception
      if (this.#state !== OPEN && (e === this.#reason || (e instanceof Error || e instanceof DOMException) && e.name === 'AbortError')) return
      this.#errors.push(e)
      if (this.#errors.length === 1) {
        this.#cancel(new DOMException('cancelled: another task of the TaskGroup failed', 'AbortError'), task.exception)
      }
    })
    task[kOnExit](() => {
      this.#live.delete(task)
      if (this.#live.size === 0) this.#notifyIdle()
    })
    return task
  }

  #cancel(reason: unknown, cause?: unknown): void {
    if (this.#state !== OPEN) return
    this.#state = CANCELLING
    this.#reason = reason
    if (cause !== undefined && reason instanceof DOMException) Object.defineProperty(reason, 'cause', { value: cause })
    for (const t of this.#live) t[kCancel](reason)
  }

  #notifyIdle(): void {
    const cbs = this.#idle
    this.#idle = []
    for (const cb of cbs) cb()
  }

  #whenIdle(cb: () => void): void {
    if (this.#live.size === 0) cb()
    else this.#idle.push(cb)
  }

  /**
   * Cancels every task of the group with `reason` (aborts their signals) and stops new spawns;
   * `wait()` then resolves normally (killing was intended). Resolves once
   * every function has returned.
   *
   * @example
   * import { TaskGroup, sleep } from 'skein'
   * const g = new TaskGroup(); g.spawn((signal) => sleep(60_000, { signal }))
   * await g.kill(); await g.wait()
   */
  kill(reason?: unknown): Promise<void> {
    const r = reason === undefined ? new DOMException('the TaskGroup was killed with kill()', 'AbortError') : reason
    if (this.#state === OPEN) this.#cancel(r)
    return new Promise<void>((resolve) => this.#whenIdle(resolve))
  }

  /**
   * Waits for every task (including ones spawned meanwhile), then closes the
   * group. Rejects with the first task error, an `AggregateError` if several
   * tasks failed, or the `signal` option's reason if it aborted the group.
   * Calling it again returns the same promise.
   *
   * @example
   * import { TaskGroup } from 'skein'
   * const g = new TaskGroup()
   * g.spawn(() => { throw new Error('boom') })
   * await g.wait().catch((e) => console.log(e.message)) // boom
   */
  wait(): Promise<void> {
    this.#wait ??= new Promise<void>((resolve, reject) => {
      this.#whenIdle(() => {
        this.#state = CLOSED
        if (this.#onAbort !== null) this.#signal?.removeEventListener('abort', this.#onAbort)
        const errors = this.#errors
        if (errors.length === 1) reject(errors[0])
        else if (errors.length > 1) reject(new AggregateError(errors, `${errors.length} tasks of the TaskGroup failed; see .errors`))
        else if (this.#signal?.aborted === true) reject(abortReason(this.#signal))
        else resolve()
      })
    })
    return this.#wait
  }

  /**
   * gevent's `Group.join`: waits until every task's function has returned or
   * `timeout` ms pass; resolves `true` if all are done. Never rejects with a
   * task error and does not close the group.
   *
   * @example
   * import { TaskGroup, sleep } from 'skein'
   * const g = new TaskGroup(); g.spawn((signal) => sleep(60_000, { signal }))
   * console.log(await g.join(10)) // false
   * await g.kill()
   */
  join(timeout?: number): Promise<boolean> {
    let ms: number | null
    try {
      ms = checkTimeout(timeout, 'TaskGroup.join(timeout)')
    } catch (e) {
      return Promise.reject(e)
    }
    if (this.#live.size === 0) return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      const cancel = ms === null ? noop : after(ms, () => resolve(false))
      this.#whenIdle(() => { cancel(); resolve(true) })
    })
  }

  /**
   * `await using g = new TaskGroup()` calls this at the end of the block: it is `wait()`.
   *
   * @example
   * import { TaskGroup } from 'skein'
   * const g = new TaskGroup(); g.spawn(() => 1); await g[Symbol.asyncDispose]()
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.wait()
  }
}
