/**
 * SharedArray: a fixed-length typed array in shared memory, guarded by a lock.
 */
import { kDescribe, registerKind, type HandleDescriptor } from '../shm/handle.js'
import type { BlockingOptions } from '../sync/options.js'
import { RawArray, type SizeOrValues } from './raw-array.js'
import { storageOf } from './raw-value.js'
import { attach } from './storage.js'
import { Guard, reviveLock, type SharedLock, type SynchronizedOptions } from './synchronized.js'
import type { Typecode } from './typecodes.js'

/**
 * A {@link RawArray} with a lock (Python's `multiprocessing.Array`).
 *
 * By default the lock is a new `Lock` (not an RLock: see synchronized.ts); `{ lock: false }` gives none (then
 * `getLock()` throws), and `{ lock: someLock }` shares a lock you made. The
 * lock travels with the array to threads and processes, as the same lock.
 * Single element reads and writes of integer codes are atomic; anything
 * longer (`a.array[0] += 1`, a loop, a sum) needs `withLock`.
 *
 * @example
 * import { SharedArray } from 'skein'
 * const totals = new SharedArray('q', 4)
 * await totals.withLock(() => { totals.array[0] += 10n })
 * console.log(totals.length, totals.get(0)) // 4 10n
 */
export class SharedArray<C extends Typecode = Typecode> extends RawArray<C> {
  readonly #guard: Guard

  /**
   * @param typecode one of `b B h H i I l L q Q f d`.
   * @param sizeOrValues a length (elements start at zero) or the initial elements.
   * @param options `{ lock }`: `true` (default, a new Lock), `false`, or a lock.
   */
  constructor(typecode: C, sizeOrValues: SizeOrValues<C>, options?: SynchronizedOptions) {
    const guard = new Guard(options, 'SharedArray')
    super(typecode, sizeOrValues)
    this.#guard = guard
  }

  /** The lock guarding this array; throws if it was created with `{ lock: false }`. */
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
    return { ...(await super[kDescribe]()), kind: 'skein.SharedArray', lock: await this.#guard.describe() }
  }
}

registerKind('skein.SharedArray', async (d, segment) => {
  const lock = await reviveLock(d.lock)
  return new SharedArray(d.typecode as Typecode, attach(storageOf(d, segment)), { lock: lock ?? false })
})
