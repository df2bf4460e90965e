/**
 * Semaphore and BoundedSemaphore: Python's counting semaphores, one object
 * for tasks, threads and processes.
 *
 * How it works. Six 32-bit words: COUNT (permits left), WAITERS, SEQ (the
 * sequence word waiters sleep on, see wait.ts), FLAGS (SHARED), MAX
 * (-1: unbounded), and NAME (where the creator's registry keeps its name). Acquire is a CAS loop decrementing COUNT while positive;
 * release adds to COUNT (checking MAX for a bounded one) and, if anyone
 * waits, bumps SEQ and wakes. A semaphore has no owner (any thread may
 * release, as in Python), so it is not given back when a holder dies; use a
 * Lock when that matters. For `skein top` and deadlock detection each
 * handle counts, in its thread's registry, the permits it took and has not
 * given back (one plain increment on acquire, one decrement on release).
 */
import { claimSlot, describeStruct, reviveAt } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, registerKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { WaitWord } from './wait.js'
import { withHeld, withHeldSync, holdOf, type LockHold } from './held.js'
import { badOptions, deadlineFrom, NOWAIT, validOptions, type BlockingOptions } from './options.js'
import { nameStruct } from '../observe/registry.js'
import { dropPermitWord, permitWord, permitWords, recordEpoch } from '../observe/records.js'
import { nameFrom, revivedName, type NameOptions } from '../observe/names.js'
import { describePermitHolders } from '../observe/holder.js'
import { KIND, OP } from '../observe/layout.js'

const COUNT = 0
const WAITERS = 1
const SEQ = 2
const FLAGS = 3
const MAX = 4
const NAME = 5
const WORDS = 6
/** A handle's permit counter before its first acquire (then a one-word view of its thread's registry). */
const UNCLAIMED = new Int32Array(1)
/** The counter of a handle for which the registry had no record left: counts nowhere anyone reads. */
const UNRECORDED = new Int32Array(1)
const UNBOUNDED = -1
const MAX_COUNT = 0x7fffffff // COUNT is an Int32 word
const RESOLVED_TRUE = Promise.resolve(true)

/**
 * A counting semaphore: at most `value` holders at once.
 *
 * @example
 * import { Semaphore } from 'skein'
 * const sem = new Semaphore(2)
 * await sem.withLock(async () => { console.log('one of at most two inside') })
 *
 * Semantics: `acquire` takes one permit, waiting while none is left;
 * `release(n)` gives back `n`. Waiters are not served in order. A negative
 * initial value throws `RangeError`.
 */
export class Semaphore implements Shareable {
  readonly #segment: Segment
  readonly #keeper: object // frees the struct when collected with this handle (arena.ts)
  readonly #i32: Int32Array
  readonly #base: number
  readonly #word: WaitWord
  /** The permits this handle holds, as `skein top` reads them: one word of this thread's registry. */
  #permits: Int32Array<ArrayBufferLike> = UNCLAIMED
  /** What `skein top` and errors call this semaphore. */
  readonly name: string

  constructor(value = 1, opts?: NameOptions) {
    checkValue(value, new.target.name)
    const kindName = new.target === BoundedSemaphore ? 'BoundedSemaphore' : 'Semaphore'
    this.name = nameFrom(opts, kindName, `new ${kindName}()`)
    const { segment, offset, fresh, keeper } = claimSlot(WORDS * 4)
    this.#keeper = keeper
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#word = new WaitWord(segment, this.#base + SEQ, this.#base + FLAGS, this.#base + WAITERS)
    const kind = kindName === 'BoundedSemaphore' ? KIND.BoundedSemaphore : KIND.Semaphore
    if (fresh) {
      Atomics.store(this.#i32, this.#base + COUNT, value)
      Atomics.store(this.#i32, this.#base + MAX, new.target === BoundedSemaphore ? value : UNBOUNDED)
      nameStruct(segment, offset, kind, this.name, NAME)
    }
    this.#word.observed = { kind, offset, name: this.name, op: OP.acquire }
  }

  /** Permits currently available (Python's `_value`; for display and tests). */
  get value(): number {
    return Atomics.load(this.#i32, this.#base + COUNT)
  }

  /** Takes a permit without blocking the event loop; `false` if none came in time. */
  acquire(opts?: BlockingOptions): Promise<boolean> {
    if (opts !== undefined && !validOptions(opts)) return Promise.reject(badOptions(opts, `${this.constructor.name}.acquire()`))
    if (this.#tryAcquire()) return RESOLVED_TRUE
    if (opts === undefined && !this.#word.shared) return this.#word.enqueue(this.#retry)
    let deadline: number | null
    try {
      deadline = deadlineFrom(opts, `${this.constructor.name}.acquire()`)
    } catch (error) {
      return Promise.reject(error)
    }
    if (deadline === NOWAIT) return Promise.resolve(false)
    return this.#word.until(this.#attempt, deadline, opts?.signal)
  }

  /** Takes a permit, blocking this thread; `false` if none came in time. */
  acquireSync(opts?: BlockingOptions): boolean {
    if (opts !== undefined && !validOptions(opts)) throw badOptions(opts, `${this.constructor.name}.acquireSync()`)
    if (this.#tryAcquire()) return true
    const deadline = deadlineFrom(opts, `${this.constructor.name}.acquireSync()`)
    if (deadline === NOWAIT) return false
    return this.#word.untilSync(this.#attempt, deadline)
  }

  /**
   * Gives back `n` permits (default 1). A BoundedSemaphore throws RangeError
   * past its initial value; any semaphore past 2³¹ − 1 permits (the count is
   * one 32-bit word in shared memory).
   */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) {
      throw new RangeError(`${this.constructor.name}.release(n): n must be an integer from 1 to ${MAX_COUNT} (got ${String(n)})`)
    }
    const i32 = this.#i32
    const max = Atomics.load(i32, this.#base + MAX)
    const bound = max === UNBOUNDED ? MAX_COUNT : max
    const before = Atomics.load(i32, this.#base + COUNT)
    if (before + n > bound) throw overReleased(this.constructor.name, before + n, bound)
    // Permits go straight to waiting tasks of this thread first (never-shared semaphores only).
    let left = n
    while (left > 0 && this.#word.handOff()) left-- // handed to a task of this thread: still held here
    if (left === 0) return
    const permits = this.#permits
    const held = permits[0]! - left
    permits[0] = held > 0 ? held : 0 // a release by another handle than the acquirer's stops at 0
    for (;;) {
      const c = Atomics.load(i32, this.#base + COUNT)
      if (c + left > bound) throw overReleased(this.constructor.name, c + left, bound)
      if (Atomics.compareExchange(i32, this.#base + COUNT, c, c + left) === c) break
    }
    if (this.#word.waiting) this.#word.notify(left)
  }

  /** Runs `fn` holding the lock; releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return withHeld(this, `${this.constructor.name} "${this.name}"`, fn, opts)
  }

  /** Like `withLock`, blocking this thread while it waits. */
  withLockSync<T>(fn: () => T, opts?: BlockingOptions): T {
    return withHeldSync(this, `${this.constructor.name} "${this.name}"`, fn, opts)
  }

  /** Acquires and returns a hold for `await using` / `using`. */
  hold(opts?: BlockingOptions): Promise<LockHold> {
    return holdOf(this, `${this.constructor.name} "${this.name}"`, opts)
  }

  /** @internal Who holds the permits, in words when asked (a timed-out withLock/hold says it). */
  culprit(): () => string {
    const free = this.value
    return () => describePermitHolders(this.#segment.token, this.#base * 4, free)
  }

  [kDescribe](): HandleDescriptor {
    this.#word.markShared()
    return { kind: this.constructor.name, name: this.name, ...describeStruct(this.#keeper, this.#segment, this.#base * 4) }
  }

  #tryAcquire(): boolean {
    const i32 = this.#i32
    const at = this.#base + COUNT
    for (let c = Atomics.load(i32, at); c > 0; c = Atomics.load(i32, at)) {
      if (Atomics.compareExchange(i32, at, c, c - 1) === c) {
        const permits = this.#permits
        if (permits !== UNCLAIMED) permits[0]!++
        else this.#claimPermits()
        return true
      }
    }
    return false
  }

  /** First acquire through this handle: a registry word counting the permits it holds (observe/records.ts). */
  #claimPermits(): void {
    const word = permitWord(this.#segment, this.#base * 4)
    if (word < 0) {
      this.#permits = UNRECORDED
      return
    }
    this.#permits = new Int32Array(permitWords().buffer, word * 4, 1)
    this.#permits[0] = 1
    permitsGone.register(this.#keeper, { word, epoch: recordEpoch })
  }

  readonly #attempt = (): boolean => this.#tryAcquire()

  readonly #retry = (): Promise<boolean> => this.acquire()
}

/**
 * A semaphore that refuses to be released above its initial value.
 *
 * @example
 * import { BoundedSemaphore } from 'skein'
 * const b = new BoundedSemaphore(1)
 * try { b.release() } catch (e) { console.log((e as Error).name) } // RangeError
 */
export class BoundedSemaphore extends Semaphore {}

function overReleased(name: string, would: number, bound: number): RangeError {
  return bound === MAX_COUNT
    ? new RangeError(`${name}.release(): the count would reach ${would} permits, past the most a semaphore holds (${MAX_COUNT}); release only what was acquired`)
    : new RangeError(`${name}.release(): released too many times (would hold ${would} permits, the bound is ${bound}); release only what you acquired`)
}

function checkValue(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
    throw new RangeError(`${name}(value): value must be an integer from 0 to ${MAX_COUNT} (got ${String(value)})`)
  }
}

const permitsGone = new FinalizationRegistry<{ word: number; epoch: number }>((p) => dropPermitWord(p.word, p.epoch))

registerKind('Semaphore', (d, segment) => reviveAt(d, segment, () => new Semaphore(0, { name: revivedName(d, 'Semaphore') })))
registerKind('BoundedSemaphore', (d, segment) => reviveAt(d, segment, () => new BoundedSemaphore(0, { name: revivedName(d, 'BoundedSemaphore') })))
