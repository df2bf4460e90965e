/**
 * The owned lock under `Lock` and `RLock`.
 *
 * How it works. The struct is five 32-bit words:
 *   OWNER   kernel tid of the holder, 0 when free (acquire = one CAS 0 → tid)
 *   WAITERS how many sleep or are about to (releasers wake only if > 0)
 *   SEQ     the sequence word waiters sleep on (see wait.ts)
 *   FLAGS   SHARED once the lock left its thread
 *   DEPTH   recursion depth (RLock only; touched by the owner alone)
 * Keeping the owner *in* the lock word makes acquire-and-record-owner one
 * atomic step, so a holder that dies at any instant leaves a consistent
 * word. A waiter of a shared lock that has slept `RECOVERY_POLL_MS` checks
 * whether the owner thread still lives; if not, it takes the lock over with a
 * CAS from the dead tid (only one waiter can win) and reports `recovered`.
 */
import { claimSlot } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { isShared, markShared, waitUntil, waitUntilSync, wakeAll } from './wait.js'
import { withHeld, withHeldSync, holdOf, type LockHold } from './held.js'
import { deadlineFrom, NOWAIT, type BlockingOptions } from './options.js'
import { isAlive, selfTid } from './identity.js'

const OWNER = 0
const WAITERS = 1
const SEQ = 2
const FLAGS = 3
const DEPTH = 4
const WORDS = 5

/** How often a waiter on a shared lock checks that the holder still lives. */
export const RECOVERY_POLL_MS = 100

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
  readonly #i32: Int32Array
  readonly #base: number
  readonly #reentrant: boolean
  #recovered = false

  protected constructor(reentrant: boolean) {
    const { segment, offset } = claimSlot(WORDS * 4)
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#reentrant = reentrant
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
    if (this.#tryAcquire()) return Promise.resolve(true)
    let deadline: number | null
    try {
      deadline = deadlineFrom(opts, `${this.kind}.acquire()`)
    } catch (error) {
      return Promise.reject(error)
    }
    if (deadline === NOWAIT) return Promise.resolve(false)
    return waitUntil(this.#segment, this.#base + WAITERS, this.#base + SEQ, this.#attempt, deadline, opts?.signal, this.#shared, this.#slice)
  }

  /**
   * Acquires the lock, blocking this thread. Returns `true` once held,
   * `false` if `blocking: false` or the timeout passed. Throws instead of
   * hanging forever when this thread already holds a non-reentrant lock.
   */
  acquireSync(opts?: BlockingOptions): boolean {
    if (this.#tryAcquire()) return true
    const deadline = deadlineFrom(opts, `${this.kind}.acquireSync()`)
    if (deadline === NOWAIT) return false
    if (deadline === null && Atomics.load(this.#i32, this.#base + OWNER) === selfTid) {
      throw new Error(`${this.kind}.acquireSync(): this thread already holds this lock, so waiting would never end (self-deadlock). Release it first, use an RLock for re-entrant locking, or pass a timeout`)
    }
    return waitUntilSync(this.#segment, this.#base + WAITERS, this.#base + SEQ, this.#attempt, deadline, this.#slice)
  }

  /** Releases the lock. Throws RangeError if it is not held (RLock: if not held by this thread). */
  release(): void {
    const i32 = this.#i32
    const at = this.#base + OWNER
    if (this.#reentrant) {
      const owner = Atomics.load(i32, at)
      if (owner !== selfTid) {
        throw new RangeError(owner === 0
          ? 'RLock.release(): the lock is not held; release only after a successful acquire'
          : 'RLock.release(): this thread does not own the lock (an RLock must be released by the thread that acquired it)')
      }
      if (Atomics.sub(i32, this.#base + DEPTH, 1) > 1) return
      Atomics.store(i32, at, 0)
    } else if (Atomics.exchange(i32, at, 0) === 0) {
      // One locked instruction both frees the lock and tells whether it was held.
      throw new RangeError('Lock.release(): the lock is not held; release only after a successful acquire')
    }
    if (Atomics.load(i32, this.#base + WAITERS) > 0) this.#wake()
  }

  /** Whether any thread or task holds the lock. */
  locked(): boolean {
    return Atomics.load(this.#i32, this.#base + OWNER) !== 0
  }

  /** Runs `fn` holding the lock; releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return withHeld(this, this.kind, fn, opts)
  }

  /** Like `withLock`, blocking this thread while it waits. */
  withLockSync<T>(fn: () => T, opts?: BlockingOptions): T {
    return withHeldSync(this, this.kind, fn, opts)
  }

  /** Acquires and returns a hold for `await using` / `using`. */
  hold(opts?: BlockingOptions): Promise<LockHold> {
    return holdOf(this, this.kind, opts)
  }

  // ----- hooks for Condition (Python's _release_save / _acquire_restore / _is_owned)

  /** @internal Whether the calling thread holds the lock. */
  isOwned(): boolean {
    return Atomics.load(this.#i32, this.#base + OWNER) === selfTid
  }

  /** @internal Fully releases, returning the depth to restore. */
  releaseSave(): number {
    const depth = this.#reentrant ? Atomics.exchange(this.#i32, this.#base + DEPTH, 0) : 1
    Atomics.store(this.#i32, this.#base + OWNER, 0)
    if (Atomics.load(this.#i32, this.#base + WAITERS) > 0) this.#wake()
    return depth
  }

  /** @internal Re-acquires after releaseSave (no timeout: Python's rule). */
  async acquireRestore(depth: number): Promise<void> {
    await this.acquire()
    if (this.#reentrant) Atomics.store(this.#i32, this.#base + DEPTH, depth)
  }

  /** @internal Blocking form of acquireRestore. */
  acquireRestoreSync(depth: number): void {
    waitUntilSync(this.#segment, this.#base + WAITERS, this.#base + SEQ, this.#attempt, null, this.#slice)
    if (this.#reentrant) Atomics.store(this.#i32, this.#base + DEPTH, depth)
  }

  [kDescribe](): HandleDescriptor {
    markShared(this.#segment, this.#base + FLAGS, this.#base, this.#base + WORDS)
    return { kind: this.kind, segment: this.#segment.describe(), offset: this.#base * 4 }
  }

  // ----- internals

  #tryAcquire(): boolean {
    const i32 = this.#i32
    const at = this.#base + OWNER
    const prev = Atomics.compareExchange(i32, at, 0, selfTid)
    if (prev === 0) {
      if (this.#reentrant) Atomics.store(i32, this.#base + DEPTH, 1)
      this.#recovered = false
      return true
    }
    if (this.#reentrant && prev === selfTid) {
      Atomics.add(i32, this.#base + DEPTH, 1)
      return true
    }
    return false
  }

  /** Takes the lock over if its holder died. */
  #tryRecover(): boolean {
    if (!this.#shared()) return false
    const i32 = this.#i32
    const owner = Atomics.load(i32, this.#base + OWNER)
    if (owner === 0 || owner === selfTid || isAlive(owner)) return false
    if (Atomics.compareExchange(i32, this.#base + OWNER, owner, selfTid) !== owner) return false
    if (this.#reentrant) Atomics.store(i32, this.#base + DEPTH, 1)
    this.#recovered = true
    return true
  }

  /** Tells sleepers the lock moved: bump SEQ, then wake (wait.ts protocol). */
  #wake(): void {
    Atomics.add(this.#i32, this.#base + SEQ, 1)
    wakeAll(this.#segment, this.#base + SEQ, this.#shared())
  }

  readonly #attempt = (): boolean => this.#tryAcquire() || this.#tryRecover()

  readonly #shared = (): boolean => isShared(this.#segment, this.#base + FLAGS)

  /** Sleep no longer than the recovery poll when others could hold the lock. */
  readonly #slice = (deadline: number | null): number | null => {
    if (!this.#shared()) return deadline
    const poll = performance.now() + RECOVERY_POLL_MS
    return deadline === null || deadline > poll ? poll : deadline
  }
}
