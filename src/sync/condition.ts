/**
 * Condition: Python's condition variable, one object for tasks, threads and
 * processes.
 *
 * How it works. Three words beside the lock's own struct: SEQ (waiters sleep
 * on it), STATE = sleepers << 16 | tokens, FLAGS. A waiter registers as a
 * sleeper while holding the lock, releases the lock fully (remembering an
 * RLock's depth), and sleeps until it can take a token. `notify(n)` hands out
 * up to `n` tokens, never more than there are sleepers without one, bumps SEQ
 * and wakes. Keeping sleepers and tokens in one word makes "time out unless a
 * token arrived meanwhile" a single CAS, so a notify is never lost on a waiter
 * that is leaving. At most 65,535 waiters at once.
 */
import { claimSlot, describeStruct, reviveAt } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, registerKind, revive, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { WaitWord, deadlineOf } from './wait.js'
import { checkTimeout, describe, type BlockingOptions } from './options.js'
import { Lock } from './lock.js'
import { OwnedLock } from './owned-lock.js'
import type { LockHold } from './held.js'
import { abortReason } from '../errors.js'

const SEQ = 0
const STATE = 1
const FLAGS = 2
const WAITERS = 3 // unused by Condition's own loops; kept for the common WaitWord layout
const WORDS = 4
const SLEEPER = 1 << 16
const TOKENS = 0xffff

/**
 * A condition variable bound to a `Lock` or `RLock` (a new `Lock` by default:
 * unlike Python's RLock default, it also excludes tasks of one thread, as
 * asyncio's Condition does).
 *
 * @example
 * import { Condition } from 'skein'
 * const cond = new Condition()
 * let ready = false
 * setTimeout(() => cond.withLock(() => { ready = true; cond.notifyAll() }), 10)
 * await cond.withLock(() => cond.waitFor(() => ready))
 *
 * Semantics: `wait`/`notify` must be called while holding the lock, or they
 * throw. `wait(timeout)` releases the lock, sleeps until notified or the
 * timeout, re-acquires the lock, and returns whether it was notified.
 */
export class Condition implements Shareable {
  readonly #segment: Segment
  readonly #keeper: object // frees the struct when collected with this handle (arena.ts)
  readonly #i32: Int32Array
  readonly #base: number
  readonly #lock: OwnedLock
  readonly #word: WaitWord

  constructor(lock?: OwnedLock) {
    if (lock !== undefined && !(lock instanceof OwnedLock)) {
      throw new TypeError(`Condition(lock): lock must be a skein Lock or RLock (got ${describe(lock)}); omit it for a new Lock`)
    }
    const { segment, offset, keeper } = claimSlot(WORDS * 4)
    this.#keeper = keeper
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#word = new WaitWord(segment, this.#base + SEQ, this.#base + FLAGS, this.#base + WAITERS)
    this.#lock = lock ?? new Lock()
  }

  /** The underlying lock. */
  get lock(): OwnedLock {
    return this.#lock
  }

  acquire(opts?: BlockingOptions): Promise<boolean> {
    return this.#lock.acquire(opts)
  }

  acquireSync(opts?: BlockingOptions): boolean {
    return this.#lock.acquireSync(opts)
  }

  release(): void {
    this.#lock.release()
  }

  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return this.#lock.withLock(fn, opts)
  }

  withLockSync<T>(fn: () => T, opts?: BlockingOptions): T {
    return this.#lock.withLockSync(fn, opts)
  }

  hold(opts?: BlockingOptions): Promise<LockHold> {
    return this.#lock.hold(opts)
  }

  /** Releases the lock, waits to be notified (or the timeout), re-acquires; true if notified. */
  async wait(timeout?: number, opts?: { signal?: AbortSignal }): Promise<boolean> {
    const deadline = this.#enter('wait', timeout)
    const signal = opts?.signal
    const seq = Atomics.load(this.#i32, this.#base + SEQ)
    const depth = this.#lock.releaseSave()
    let notified = false
    let aborted: unknown
    try {
      for (let s = seq; ; s = Atomics.load(this.#i32, this.#base + SEQ)) {
        if (this.#takeToken()) {
          notified = true
          break
        }
        if (signal?.aborted || (deadline !== null && performance.now() >= deadline)) {
          notified = this.#leave()
          if (!notified && signal?.aborted) aborted = abortReason(signal)
          break
        }
        try {
          await this.#word.sleep(s, deadline, signal)
        } catch {
          // aborted: handled at the top of the loop
        }
      }
    } finally {
      await this.#lock.acquireRestore(depth)
    }
    if (aborted !== undefined) throw aborted
    return notified
  }

  /** Like `wait`, blocking this thread. */
  waitSync(timeout?: number): boolean {
    const deadline = this.#enter('waitSync', timeout)
    const seq = Atomics.load(this.#i32, this.#base + SEQ)
    const depth = this.#lock.releaseSave()
    try {
      for (let s = seq; ; s = Atomics.load(this.#i32, this.#base + SEQ)) {
        if (this.#takeToken()) return true
        if (deadline !== null && performance.now() >= deadline) return this.#leave()
        this.#word.sleepSync(s, deadline)
      }
    } finally {
      this.#lock.acquireRestoreSync(depth)
    }
  }

  /** Waits until `predicate()` is truthy (checked under the lock); returns its last value. */
  async waitFor<T>(predicate: () => T, timeout?: number): Promise<T> {
    const deadline = deadlineOf(checkTimeout(timeout, 'Condition.waitFor()'))
    let result = predicate()
    while (!result) {
      let left: number | undefined
      if (deadline !== null) {
        left = deadline - performance.now()
        if (left <= 0) break
      }
      await this.wait(left)
      result = predicate()
    }
    return result
  }

  /** Like `waitFor`, blocking this thread. */
  waitForSync<T>(predicate: () => T, timeout?: number): T {
    const deadline = deadlineOf(checkTimeout(timeout, 'Condition.waitForSync()'))
    let result = predicate()
    while (!result) {
      let left: number | undefined
      if (deadline !== null) {
        left = deadline - performance.now()
        if (left <= 0) break
      }
      this.waitSync(left)
      result = predicate()
    }
    return result
  }

  /** Wakes up to `n` waiters (default 1). Must hold the lock. */
  notify(n = 1): void {
    if (!this.#lock.isOwned()) {
      throw new Error('Condition.notify(): the lock is not held; call it inside withLock() or after acquire()')
    }
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Condition.notify(n): n must be a non-negative integer (got ${String(n)})`)
    const i32 = this.#i32
    const at = this.#base + STATE
    for (;;) {
      const st = Atomics.load(i32, at)
      const sleepers = st >>> 16
      const tokens = st & TOKENS
      const k = Math.min(n, sleepers - tokens)
      if (k <= 0) return
      if (Atomics.compareExchange(i32, at, st, st + k) === st) break
    }
    this.#word.notify()
  }

  /** Wakes every waiter. Must hold the lock. */
  notifyAll(): void {
    this.notify(TOKENS)
  }

  async [kDescribe](): Promise<HandleDescriptor> {
    this.#word.markShared()
    return { kind: 'Condition', ...describeStruct(this.#keeper, this.#segment, this.#base * 4), lock: this.#lock[kDescribe]() }
  }

  /** Checks the lock is held, registers as a sleeper, returns the deadline. */
  #enter(what: string, timeout: number | undefined): number | null {
    const deadline = deadlineOf(checkTimeout(timeout, `Condition.${what}()`))
    if (!this.#lock.isOwned()) {
      throw new Error(`Condition.${what}(): the lock is not held; call it inside withLock() or after acquire()`)
    }
    if ((Atomics.load(this.#i32, this.#base + STATE) >>> 16) >= TOKENS) {
      throw new RangeError(`Condition.${what}(): too many waiters (at most ${TOKENS} at once)`)
    }
    Atomics.add(this.#i32, this.#base + STATE, SLEEPER)
    return deadline
  }

  /** Consumes a token if one is there (and stops being a sleeper). */
  #takeToken(): boolean {
    const i32 = this.#i32
    const at = this.#base + STATE
    for (;;) {
      const st = Atomics.load(i32, at)
      if ((st & TOKENS) === 0) return false
      if (Atomics.compareExchange(i32, at, st, st - SLEEPER - 1) === st) return true
    }
  }

  /** Stops sleeping: takes a token that arrived meanwhile (true), else just leaves (false). */
  #leave(): boolean {
    const i32 = this.#i32
    const at = this.#base + STATE
    for (;;) {
      const st = Atomics.load(i32, at)
      const next = (st & TOKENS) > 0 ? st - SLEEPER - 1 : st - SLEEPER
      if (Atomics.compareExchange(i32, at, st, next) === st) return (st & TOKENS) > 0
    }
  }
}

registerKind('Condition', async (d, segment) => {
  const lock = (await revive(d.lock as HandleDescriptor)) as OwnedLock
  return reviveAt(d, segment, () => new Condition(lock))
})
