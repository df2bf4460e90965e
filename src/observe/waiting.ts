/**
 * What the wait core calls around a real sleep: publish the wait (only once
 * a waiter actually sleeps, never on a fast path), check for deadlocks while
 * it lasts, and unpublish it when the waiter wakes for good.
 *
 * A blocking waiter ({@link SyncWait}) works from its own stack: the wait
 * core shortens its sleep to the next due step ({@link SyncWait.clamp}) and
 * calls {@link SyncWait.afterSleep} when a sleep ended: after FIRST_CHECK_MS
 * it records the waiting code's line (so a short wait never pays for a
 * stack capture), then checks for deadlocks, throwing the DeadlockError
 * under the 'throw' policy. Async waiters ({@link AsyncWait}) record their line
 * when they begin (a few hundred a second at most: capturing a stack costs
 * microseconds) and share one unref'd timer per thread for their checks,
 * which fails a waiter through the callback it gave.
 */
import type { DeadlockError } from '../errors.js'
import { CHECK_EVERY_MS, FIRST_CHECK_MS, checkWait, checkedKind, deadlockPolicy, waitEnded } from './deadlock.js'
import { beginWait, endWait, noteWaitLine, waitSince, type WaitTarget } from './records.js'
import type { Segment } from '../shm/segment.js'
import { PerSecond } from './budget.js'

/** Stack lines recorded per second at most for async waits. */
const LINES_PER_SECOND = 200
const lines = new PerSecond(LINES_PER_SECOND)
const lineAllowed = (): boolean => lines.allowed()

/** What the registry shows a sleeper on a wait word as: the object (kind, struct offset in the word's segment, name) and what the sleeper does. */
export interface Observed {
  kind: number
  offset: number
  name: string
  op: number
  /** For a join: the tid (Thread) or pid (Process) joined. */
  target?: number
}

function targetOf(segment: Segment | undefined, o: Observed): WaitTarget {
  return { kind: o.kind, segment, offset: o.offset, name: o.name, target: o.target }
}

/** A blocking wait in progress. */
export class SyncWait {
  readonly #index: number
  readonly #since: number
  readonly #checks: boolean
  /** performance.now() time of the next due step: the line (once), then deadlock checks. */
  #due: number
  #lined = false

  constructor(segment: Segment | undefined, o: Observed) {
    this.#index = beginWait(targetOf(segment, o), o.op, false)
    this.#since = this.#index < 0 ? 0 : waitSince(this.#index)
    this.#checks = this.#index >= 0 && checkedKind(o.kind) && deadlockPolicy() !== 'off'
    this.#due = this.#index < 0 ? Infinity : performance.now() + FIRST_CHECK_MS
  }

  /** The deadline (performance.now() time, or null) of the next sleep, shortened so a due step runs. */
  clamp(deadline: number | null): number | null {
    if (this.#due === Infinity) return deadline
    return deadline === null || deadline > this.#due ? this.#due : deadline
  }

  /**
   * After a sleep ended: once the wait has lasted FIRST_CHECK_MS, records
   * the waiting code's line (from this stack), then runs the deadlock
   * checks. Throws DeadlockError when this wait closed a deadlock under 'throw'.
   */
  afterSleep(): void {
    if (performance.now() < this.#due) return
    if (!this.#lined) {
      this.#lined = true
      noteWaitLine(this.#index)
    }
    if (!this.#checks) {
      this.#due = Infinity
      return
    }
    this.#due = performance.now() + CHECK_EVERY_MS
    const error = checkWait(this.#since)
    if (error !== undefined) throw error
  }

  /** The waiter stopped waiting. */
  end(): void {
    endWait(this.#index)
    if (this.#checks) waitEnded(this.#since)
  }
}

/**
 * An async wait in progress: a task of this thread asleep (`checks`), or
 * the queue of tasks waiting on a never-shared object (no checks: no other
 * thread can be in its cycle).
 */
export class AsyncWait {
  readonly index: number
  readonly since: number
  /** The signal the sleep must use: the caller's, and, when checked, aborted with the DeadlockError this wait closes under 'throw'. */
  readonly signal: AbortSignal | undefined
  readonly #abort: AbortController | undefined
  readonly #unlink: (() => void) | undefined

  constructor(segment: Segment | undefined, o: Observed, checks: boolean, signal: AbortSignal | undefined) {
    this.index = beginWait(targetOf(segment, o), o.op, true)
    this.since = this.index < 0 ? 0 : waitSince(this.index)
    this.signal = signal
    if (this.index < 0) return
    if (lineAllowed()) noteWaitLine(this.index)
    if (!checks || !checkedKind(o.kind) || deadlockPolicy() === 'off') return
    const abort = this.#abort = new AbortController()
    if (signal !== undefined) {
      const forward = (): void => abort.abort(signal.reason)
      signal.addEventListener('abort', forward, { once: true })
      this.#unlink = () => signal.removeEventListener('abort', forward)
    }
    this.signal = abort.signal
    watch(this)
  }

  /** Fails the wait (its sleep rejects with `error`). */
  fail(error: DeadlockError): void {
    this.#abort?.abort(error)
  }

  /** The task stopped waiting. */
  end(): void {
    endWait(this.index)
    this.#unlink?.()
    if (watched.delete(this)) waitEnded(this.since)
  }
}
const watched = new Set<AsyncWait>()
let timer: NodeJS.Timeout | undefined

function watch(wait: AsyncWait): void {
  watched.add(wait)
  if (timer === undefined) {
    timer = setTimeout(tick, FIRST_CHECK_MS)
    timer.unref()
  }
}

/** One check round for this thread's async waits that slept long enough. */
function tick(): void {
  timer = undefined
  if (watched.size === 0) return
  const due = performance.timeOrigin + performance.now() - FIRST_CHECK_MS
  for (const wait of [...watched]) {
    if (wait.since > due || !watched.has(wait)) continue
    const error = checkWait(wait.since)
    if (error !== undefined) wait.fail(error)
  }
  if (watched.size > 0) {
    timer = setTimeout(tick, CHECK_EVERY_MS)
    timer.unref()
  }
}
