/**
 * Value: one typed number in shared memory, guarded by a lock.
 */
import { kDescribe, registerKind, type HandleDescriptor } from '../shm/handle.js'
import type { BlockingOptions } from '../sync/options.js'
import { RawValue, storageOf } from './raw-value.js'
import { attach } from './storage.js'
import { Guard, reviveLock, type SharedLock, type SynchronizedOptions } from './synchronized.js'
import type { ElementOf, Typecode } from './typecodes.js'

/**
 * A {@link RawValue} with a lock (Python's `multiprocessing.Value`).
 *
 * By default the lock is a new `Lock` (not an RLock: see synchronized.ts); `{ lock: false }` gives none (then
 * `getLock()` throws), and `{ lock: someLock }` shares a lock you made. The
 * lock travels with the value to threads and processes, as the same lock.
 *
 * Reading or assigning `.value` is atomic, but `v.value += 1` is a read then
 * a write, NOT atomic even with a lock, exactly as in Python: two threads
 * can read the same old value and one increment is lost. Do it under the
 * lock with `withLock` (or `withLockSync`).
 *
 * @example
 * import { Value } from 'skein'
 * const counter = new Value('i', 0)
 * await counter.withLock(() => { counter.value += 1 })
 * counter.withLockSync(() => { counter.value += 1 })
 * console.log(counter.value) // 2
 */
export class Value<C extends Typecode = Typecode> extends RawValue<C> {
  readonly #guard: Guard

  /**
   * @param typecode one of `b B h H i I l L q Q f d`.
   * @param initial the starting value (default 0, or 0n for bigint codes).
   * @param options `{ lock }`: `true` (default, a new Lock), `false`, or a lock.
   */
  constructor(typecode: C, initial?: ElementOf<C>, options?: SynchronizedOptions) {
    const guard = new Guard(options, 'Value')
    super(typecode, initial)
    this.#guard = guard
  }

  /** The lock guarding this value; throws if it was created with `{ lock: false }`. */
  getLock(): SharedLock {
    return this.#guard.get()
  }

  /** Runs `fn` holding the lock (awaiting it), and returns what `fn` returns. */
  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return this.#guard.run(fn, opts)
  }

  /** Like {@link withLock}, blocking this thread while it waits for the lock. */
  withLockSync<T>(fn: () => T, opts?: BlockingOptions): T {
    return this.#guard.runSync(fn, opts)
  }

  /** The cloneable descriptor `encode` sends to another thread or process (lock included). */
  override async [kDescribe](): Promise<HandleDescriptor> {
    return { ...(await super[kDescribe]()), kind: 'skein.Value', lock: await this.#guard.describe() }
  }
}

registerKind('skein.Value', async (d, segment) => {
  const lock = await reviveLock(d.lock)
  return new Value(d.typecode as Typecode, attach(storageOf(d, segment)), { lock: lock ?? false })
})
