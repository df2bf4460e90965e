/**
 * The owned lock under `Lock` and `RLock`.
 *
 * How it works. The struct is five 32-bit words:
 *   OWNER   owner id of the holder (identity.ts: the kernel tid, plus a
 *           generation on reused workers), 0 when free (acquire = one CAS 0 → id)
 *   WAITERS how many sleep or are about to (releasers wake only if > 0)
 *   SEQ     the sequence word waiters sleep on (see wait.ts)
 *   FLAGS   SHARED once the lock left its thread
 *   DEPTH   recursion depth (RLock only; touched by the owner alone)
 *   NAME    where the creator's registry keeps the lock's name (for `skein top`)
 * Keeping the owner *in* the lock word makes acquire-and-record-owner one
 * atomic step, so a holder that dies at any instant leaves a consistent
 * word. A waiter of a shared lock that has slept `RECOVERY_POLL_MS` checks
 * whether the owner still lives (its thread runs, and on a reused worker its
 * Thread's target has not returned); if not, it takes the lock over with a
 * CAS from the dead id (only one waiter can win) and reports `recovered`.
 */
import { claimSlot, describeStruct } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { WaitWord, type UntilOptions } from './wait.js'
import { withHeld, withHeldSync, holdOf, type LockHold } from './held.js'
import { badOptions, deadlineFrom, NOWAIT, validOptions, type BlockingOptions } from './options.js'
import { StateError } from '../errors.js'
import { isAlive, owner } from './identity.js'
import { nameStruct } from '../observe/registry.js'
import { describeHolder } from '../observe/holder.js'
import { KIND, OP } from '../observe/layout.js'

const OWNER = 0
const WAITERS = 1
const SEQ = 2
const FLAGS = 3
const DEPTH = 4
const NAME = 5 // the name's offset in the creator's registry heap (observe/layout.ts)
const WORDS = 6
const RESOLVED_TRUE = Promise.resolve(true)

/** How often a waiter on a shared lock checks that the holder still lives. */
export const RECOVERY_POLL_MS = 100
let recoveryPoll = RECOVERY_POLL_MS

/**
 * @internal Sets this thread's dead-owner poll (tests: with a long poll, a
 * hand-off that relied on it shows as a hang instead of a 100 ms delay).
 */
export function setRecoveryPoll(ms: number): void {
  recoveryPoll = ms
}

/**
 * The common shape of `Lock` and `RLock` (a type for parameters that take either).
 *
 * @example
 * import { Lock, RLock, type OwnedLock } from 'skein'
 * const guard = (lock: OwnedLock) => lock.withLock(() => 'inside')
 * console.log(await guard(new Lock()), await guard(new RLock()))
 */
export abstract class OwnedLock implements Shareable {
  readonly #segment: Segment
  readonly #keeper: object // frees the struct when collected with this handle (arena.ts)
  readonly #i32: Int32Array
  readonly #base: number
  readonly #reentrant: boolean
  readonly #word: WaitWord
  #recovered = false
  /** What `skein top` and errors call this lock. */
  readonly name: string

  protected constructor(reentrant: boolean, name: string) {
    const { segment, offset, keeper, fresh } = claimSlot(WORDS * 4)
    this.#keeper = keeper
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#reentrant = reentrant
    this.#word = new WaitWord(segment, this.#base + SEQ, this.#base + FLAGS, this.#base + WAITERS)
    this.name = name
    const kind = reentrant ? KIND.RLock : KIND.Lock
    if (fresh) nameStruct(segment, offset, kind, name, NAME)
    this.#word.observed = { kind, offset, name, op: OP.acquire }
  }

  /** The kind name used when crossing threads and processes. */
  protected abstract get kind(): string

  /** True after an acquire that took the lock over from a holder that died. */
  get recovered(): boolean {
    return this.#recovered
  }

  /**
   * Acquires the lock without blocking the event loop. Resolves `true` once
   * held, `false` if `blocking: false` or the timeout passed first; rejects
   * with the signal's reason if it is aborted.
   */
  acquire(opts?: BlockingOptions): Promise<boolean> {
    if (opts !== undefined && !validOptions(opts)) return Promise.reject(badOptions(opts, `${this.kind}.acquire()`))
    if (this.#tryAcquire()) return RESOLVED_TRUE
    if (opts === undefined && !this.#word.shared) return this.#word.enqueue(this.#retry)
    let deadline: number | null
    try {
      deadline = deadlineFrom(opts, `${this.kind}.acquire()`)
    } catch (error) {
      return Promise.reject(error)
    }
    if (deadline === NOWAIT) return Promise.resolve(false)
    return this.#word.until(this.#attempt, deadline, opts?.signal, this.#recovery)
  }

  /**
   * Acquires the lock, blocking this thread. Returns `true` once held,
   * `false` if `blocking: false` or the timeout passed. Throws instead of
   * hanging forever when this thread already holds a non-reentrant lock.
   */
  acquireSync(opts?: BlockingOptions): boolean {
    if (opts !== undefined && !validOptions(opts)) throw badOptions(opts, `${this.kind}.acquireSync()`)
    if (this.#tryAcquire()) return true
    const deadline = deadlineFrom(opts, `${this.kind}.acquireSync()`)
    if (deadline === NOWAIT) return false
    if (deadline === null && Atomics.load(this.#i32, this.#base + OWNER) === owner.id) {
      throw new StateError(`${this.kind}.acquireSync(): this thread already holds this lock, so waiting would never end (self-deadlock). Release it first, use an RLock for re-entrant locking, or pass a timeout`, 'ERR_SKEIN_SELF_DEADLOCK')
    }
    return this.#word.untilSync(this.#attempt, deadline, this.#recovery)
  }

  /** Releases the lock. Throws RangeError if it is not held (RLock: if not held by this thread). */
  release(): void {
    const i32 = this.#i32
    if (!this.#reentrant && !this.#word.hasLocal) {
      // The hot path: one exchange frees the lock and tells whether it was held.
      if (Atomics.exchange(i32, this.#base + OWNER, 0) === 0) throw notHeld()
      if (this.#word.waiting) this.#word.notify(1, 1)
      return
    }
    const holder = Atomics.load(i32, this.#base + OWNER)
    if (this.#reentrant) {
      if (holder !== owner.id) {
        throw new RangeError(holder === 0
          ? 'RLock.release(): the lock is not held; release only after a successful acquire'
          : 'RLock.release(): this thread does not own the lock (an RLock must be released by the thread that acquired it)')
      }
      if (Atomics.sub(i32, this.#base + DEPTH, 1) > 1) return
    } else if (holder === 0) {
      throw notHeld()
    }
    this.#free()
  }

  /** Whether any thread or task holds the lock. */
  locked(): boolean {
    return Atomics.load(this.#i32, this.#base + OWNER) !== 0
  }

  /** Runs `fn` holding the lock; releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return withHeld(this, `${this.kind} "${this.name}"`, fn, opts)
  }

  /** Like `withLock`, blocking this thread while it waits. */
  withLockSync<T>(fn: () => T, opts?: BlockingOptions): T {
    return withHeldSync(this, `${this.kind} "${this.name}"`, fn, opts)
  }

  /** Acquires and returns a hold for `await using` / `using`. */
  hold(opts?: BlockingOptions): Promise<LockHold> {
    return holdOf(this, `${this.kind} "${this.name}"`, opts)
  }

  /** @internal Who holds the lock (its owner word now), put in words when asked (a timed-out withLock/hold says it). */
  culprit(since: number): () => string {
    const word = Atomics.load(this.#i32, this.#base + OWNER)
    return () => describeHolder(word, since)
  }

  // ----- hooks for Condition (Python's _release_save / _acquire_restore / _is_owned)

  /** @internal Whether the calling thread holds the lock. */
  isOwned(): boolean {
    return Atomics.load(this.#i32, this.#base + OWNER) === owner.id
  }

  /** @internal Fully releases, returning the depth to restore. */
  releaseSave(): number {
    const depth = this.#reentrant ? Atomics.exchange(this.#i32, this.#base + DEPTH, 0) : 1
    this.#free()
    return depth
  }

  /** @internal Re-acquires after releaseSave (no timeout: Python's rule). */
  async acquireRestore(depth: number): Promise<void> {
    await this.acquire()
    if (this.#reentrant) Atomics.store(this.#i32, this.#base + DEPTH, depth)
  }

  /** @internal Blocking form of acquireRestore. */
  acquireRestoreSync(depth: number): void {
    this.#word.untilSync(this.#attempt, null, this.#recovery)
    if (this.#reentrant) Atomics.store(this.#i32, this.#base + DEPTH, depth)
  }

  [kDescribe](): HandleDescriptor {
    this.#word.markShared()
    return { kind: this.kind, name: this.name, ...describeStruct(this.#keeper, this.#segment, this.#base * 4) }
  }

  // ----- internals

  /**
   * Gives the held lock away: to the oldest waiting task if the lock never
   * left this thread (the owner word stays this thread's), else frees it and
   * wakes one waiter.
   */
  #free(): void {
    if (this.#word.handOff()) {
      if (this.#reentrant) Atomics.store(this.#i32, this.#base + DEPTH, 1)
      return
    }
    Atomics.store(this.#i32, this.#base + OWNER, 0)
    // One waiter can take the lock, so wake one (no herd of threads): the one
    // woken always attempts, or passes the wake on (wait.ts, "Wake one").
    if (this.#word.waiting) this.#word.notify(1, 1)
  }

  #tryAcquire(): boolean {
    const i32 = this.#i32
    const at = this.#base + OWNER
    const me = owner.id
    const prev = Atomics.compareExchange(i32, at, 0, me)
    if (prev === 0) {
      if (this.#reentrant) Atomics.store(i32, this.#base + DEPTH, 1)
      this.#recovered = false
      return true
    }
    if (this.#reentrant && prev === me) {
      Atomics.add(i32, this.#base + DEPTH, 1)
      return true
    }
    return false
  }

  /** Takes the lock over if its holder died. */
  #tryRecover(): boolean {
    if (!this.#word.shared) return false
    const i32 = this.#i32
    const holder = Atomics.load(i32, this.#base + OWNER)
    const me = owner.id
    if (holder === 0 || holder === me || isAlive(holder)) return false
    if (Atomics.compareExchange(i32, this.#base + OWNER, holder, me) !== holder) return false
    if (this.#reentrant) Atomics.store(i32, this.#base + DEPTH, 1)
    this.#recovered = true
    return true
  }

  readonly #attempt = (): boolean => this.#tryAcquire()

  readonly #retry = (): Promise<boolean> => this.acquire()

  /** Sleep no longer than the recovery poll when others could hold the lock; then check the holder lives. */
  readonly #recovery: UntilOptions = {
    slice: (deadline) => {
      if (!this.#word.shared) return deadline
      const poll = performance.now() + recoveryPoll
      return deadline === null || deadline > poll ? poll : deadline
    },
    recover: () => this.#tryRecover(),
  }
}

function notHeld(): RangeError {
  return new RangeError('Lock.release(): the lock is not held; release only after a successful acquire')
}
