/**
 * Condition: Python's condition variable, one object for tasks, threads and
 * processes.
 *
 * How it works (docs/architecture.md, "Wait protocols: Condition"). Every
 * waiter takes a ticket, in order, while it holds the lock; NOTIFIED says
 * which tickets have been notified (those before it), TAIL is the next
 * ticket, and HOLES marks the tickets between them whose waiters left (timed
 * out or aborted). These words change only under the lock. `notify(n)` moves
 * NOTIFIED past the n oldest tickets still waiting (skipping holes), so it
 * wakes only waiters registered before it, oldest first (Python's FIFO), and
 * a later waiter can never take their place. A waiter sleeps on the wake
 * word of its ticket (ticket % 16), read before NOTIFIED and bumped by
 * `notify` after it moved NOTIFIED, so no wake is lost and, below 16
 * waiters, none is wasted on a waiter that was not picked. A waiter whose
 * sleep ends without a notify re-acquires the lock and then, under it,
 * either finds its ticket notified after all (it returns true: the notify
 * is not wasted) or leaves a hole that later notifies skip.
 * At most {@link MAX_WAITERS} tickets between the oldest waiter and the newest.
 */
import { claimSlot, describeStruct, reviveAt } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, registerKind, revive, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { NAME_MAX, nameFrom, revivedName, type NameOptions } from '../observe/names.js'
import { KIND, OP } from '../observe/layout.js'
import { WaitWord, deadlineOf } from './wait.js'
import { checkTimeout, describe, signalFrom, type BlockingOptions } from './options.js'
import { Lock } from './lock.js'
import { OwnedLock } from './owned-lock.js'
import type { LockHold } from './held.js'
import { StateError } from '../errors.js'

const NOTIFIED = 0
const TAIL = 1
const FLAGS = 2
const WAITERS = 3
const WAKE = 4
const WAKE_WORDS = 16
const HOLES = WAKE + WAKE_WORDS
/** The most waiters a Condition holds at once (tickets from the oldest waiting to the newest). */
export const MAX_WAITERS = 4096
const WORDS = HOLES + MAX_WAITERS / 32

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
  readonly #words: Array<WaitWord | undefined> = []
  /** What `skein top` and errors call this condition. */
  readonly name: string

  constructor(lock?: OwnedLock, opts?: NameOptions) {
    if (lock !== undefined && !(lock instanceof OwnedLock)) {
      throw new TypeError(`Condition(lock): lock must be a skein Lock or RLock (got ${describe(lock)}); omit it for a new Lock`)
    }
    this.name = nameFrom(opts, 'Condition', 'new Condition()')
    const { segment, offset, keeper } = claimSlot(WORDS * 4)
    this.#keeper = keeper
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#lock = lock ?? new Lock({ name: `${this.name}.lock`.slice(0, NAME_MAX) })
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
    const deadline = deadlineOf(checkTimeout(timeout, 'Condition.wait()'))
    const signal = signalFrom(opts, 'Condition.wait(timeout, options)') // before the lock is let go: bad input changes nothing
    const ticket = this.#register('wait')
    const depth = this.#lock.releaseSave()
    let stopped: unknown
    try {
      await this.#wakeWord(ticket).until(() => this.#notified(ticket), deadline, signal)
    } catch (error) {
      stopped = error // aborted: settled under the lock below
    } finally {
      await this.#lock.acquireRestore(depth)
    }
    if (this.#settle(ticket)) return true
    if (stopped !== undefined) throw stopped
    return false
  }

  /** Like `wait`, blocking this thread. */
  waitSync(timeout?: number): boolean {
    const deadline = deadlineOf(checkTimeout(timeout, 'Condition.waitSync()'))
    const ticket = this.#register('waitSync')
    const depth = this.#lock.releaseSave()
    try {
      this.#wakeWord(ticket).untilSync(() => this.#notified(ticket), deadline)
    } finally {
      this.#lock.acquireRestoreSync(depth)
    }
    return this.#settle(ticket)
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

  /** Wakes the `n` longest-waiting waiters (default 1). Must hold the lock. */
  notify(n = 1): void {
    this.#mustHold('notify')
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Condition.notify(n): n must be a non-negative integer (got ${String(n)})`)
    this.#notify(n)
  }

  /** Wakes every waiter. Must hold the lock. */
  notifyAll(): void {
    this.#mustHold('notifyAll')
    this.#notify(Infinity)
  }

  async [kDescribe](): Promise<HandleDescriptor> {
    this.#wakeWord(0).markShared()
    for (const word of this.#words) word?.markShared()
    return { kind: 'Condition', name: this.name, ...describeStruct(this.#keeper, this.#segment, this.#base * 4), lock: this.#lock[kDescribe]() }
  }

  #mustHold(what: string): void {
    if (!this.#lock.isOwned()) {
      throw new StateError(`Condition.${what}(): the lock is not held; call it inside withLock() or after acquire()`, 'ERR_SKEIN_LOCK_NOT_HELD')
    }
  }

  /** Takes the next ticket (under the lock). */
  #register(what: string): number {
    this.#mustHold(what)
    const i32 = this.#i32
    const { notified, tail } = this.#span()
    if (((tail - notified) | 0) >= MAX_WAITERS) {
      throw new RangeError(`Condition.${what}(): too many waiters (at most ${MAX_WAITERS} at once); wake some with notify() or use fewer waiting tasks`)
    }
    this.#setHole(tail, false)
    Atomics.store(i32, this.#base + TAIL, (tail + 1) | 0)
    return tail
  }

  /** Whether `ticket` has been notified: it is before NOTIFIED (tickets wrap at 2^32). */
  #notified(ticket: number): boolean {
    return ((ticket - Atomics.load(this.#i32, this.#base + NOTIFIED)) | 0) < 0
  }

  /** Notifies the `n` oldest tickets still waiting (under the lock), then bumps and wakes their wake words. */
  #notify(n: number): void {
    const i32 = this.#i32
    const { notified, tail } = this.#span()
    let next = notified
    let picked = 0
    let words = 0 // bit w: wake word w has a notified ticket
    while (next !== tail && picked < n) {
      if (this.#hole(next)) {
        this.#setHole(next, false)
      } else {
        picked++
        words |= 1 << (next & (WAKE_WORDS - 1))
      }
      next = (next + 1) | 0
    }
    next = this.#skipHoles(next, tail)
    if (next === notified) return
    Atomics.store(i32, this.#base + NOTIFIED, next)
    if (words === 0) return
    const anyone = Atomics.load(i32, this.#base + WAITERS) > 0
    for (let w = 0; w < WAKE_WORDS; w++) {
      if ((words & (1 << w)) === 0) continue
      Atomics.add(i32, this.#base + WAKE + w, 1)
      if (anyone) this.#wakeWord(w).wake()
    }
  }

  /**
   * Ends a wait under the lock: true if its ticket was notified (even after
   * its timeout: the notify is not wasted); else the ticket leaves, and later
   * notifies skip it.
   */
  #settle(ticket: number): boolean {
    if (this.#notified(ticket)) return true
    const i32 = this.#i32
    const { notified, tail } = this.#span()
    if (((ticket + 1) | 0) === tail) {
      let t = ticket // the newest: shrink TAIL over it and any holes before it
      while (t !== notified && this.#hole((t - 1) | 0)) {
        t = (t - 1) | 0
        this.#setHole(t, false)
      }
      Atomics.store(i32, this.#base + TAIL, t)
    } else if (ticket === notified) {
      // The oldest: move NOTIFIED past it and the holes after it (nobody waiting is passed, so no wake).
      Atomics.store(i32, this.#base + NOTIFIED, this.#skipHoles((ticket + 1) | 0, tail))
    } else {
      this.#setHole(ticket, true)
    }
    return false
  }

  /** NOTIFIED and TAIL, checked: shared memory is read as if anyone could have written it. */
  #span(): { notified: number; tail: number } {
    const notified = Atomics.load(this.#i32, this.#base + NOTIFIED)
    const tail = Atomics.load(this.#i32, this.#base + TAIL)
    const span = (tail - notified) | 0
    if (span < 0 || span > MAX_WAITERS) {
      throw new Error(`Condition: its shared state is corrupt (${span} waiting tickets); create a new Condition`)
    }
    return { notified, tail }
  }

  #skipHoles(from: number, tail: number): number {
    let t = from
    while (t !== tail && this.#hole(t)) {
      this.#setHole(t, false)
      t = (t + 1) | 0
    }
    return t
  }

  #hole(ticket: number): boolean {
    const bit = ticket & (MAX_WAITERS - 1)
    return (Atomics.load(this.#i32, this.#base + HOLES + (bit >>> 5)) & (1 << (bit & 31))) !== 0
  }

  #setHole(ticket: number, on: boolean): void {
    const bit = ticket & (MAX_WAITERS - 1)
    const at = this.#base + HOLES + (bit >>> 5)
    if (on) Atomics.or(this.#i32, at, 1 << (bit & 31))
    else Atomics.and(this.#i32, at, ~(1 << (bit & 31)))
  }

  /** The WaitWord of `ticket`'s wake word (made on first use). */
  #wakeWord(ticket: number): WaitWord {
    const w = ticket & (WAKE_WORDS - 1)
    let word = this.#words[w]
    if (word === undefined) {
      word = this.#words[w] = new WaitWord(this.#segment, this.#base + WAKE + w, this.#base + FLAGS, this.#base + WAITERS)
      word.observed = { kind: KIND.Condition, offset: this.#base * 4, name: this.name, op: OP.wait }
    }
    return word
  }
}

registerKind('Condition', async (d, segment) => {
  const lock = (await revive(d.lock as HandleDescriptor)) as OwnedLock
  return reviveAt(d, segment, () => new Condition(lock, { name: revivedName(d, 'Condition') }))
})
