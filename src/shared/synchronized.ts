/**
 * The lock half of Value and SharedArray (Python's `Synchronized` wrapper):
 * resolves the `lock` option, and runs code under the lock.
 *
 * How it works: `lock: true` makes a fresh `Lock`, `false`
 * none, and a lock object is used as given (share one lock between several
 * values). Crossing a thread or process boundary, the lock travels as its own
 * descriptor inside the value's, and is revived as the same lock.
 *
 * Decision: the default is a `Lock`, not Python's `RLock`. An RLock is
 * re-entrant per *thread*, so tasks of one thread would all "own" it and
 * `withLock(async () => …)` would not exclude them across an `await`: lost
 * updates with no error. A Lock excludes tasks, threads and processes alike;
 * nesting it in one thread is reported (self-deadlock error) rather than
 * silently allowed. Pass `{ lock: new RLock() }` for Python's behaviour.
 */
import { TimeoutError } from '../errors.js'
import { isShareable, kDescribe, revive, type HandleDescriptor } from '../shm/handle.js'
import type { BlockingOptions } from '../sync/options.js'
import { Lock } from '../sync/lock.js'

/** What a Value or SharedArray can be guarded by: a `Lock`, an `RLock`, or anything shaped like them. */
export interface SharedLock {
  acquire(opts?: BlockingOptions): Promise<boolean>
  acquireSync(opts?: BlockingOptions): boolean
  release(): void
}

/** Options of {@link Value} and {@link SharedArray}. */
export interface SynchronizedOptions {
  /** `true` (default): a new Lock; `false`: no lock; or the lock to use. */
  lock?: boolean | SharedLock
  /** The name of the new lock (`lock: true`), as `skein top` and errors show it; default `Lock@file:line` of the code creating the value. */
  name?: string
}

/** Holds the lock (or its absence) of one Value or SharedArray. */
export class Guard {
  readonly #lock: SharedLock | null
  readonly #owner: string

  constructor(options: SynchronizedOptions | undefined, owner: string) {
    this.#owner = owner
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`${owner}: options must be an object like { lock: false }; got ${options === null ? 'null' : typeof options}`)
    }
    const lock = options?.lock ?? true
    if (lock === true) this.#lock = new Lock(options?.name === undefined ? undefined : { name: options.name })
    else if (lock === false) this.#lock = null
    else if (isLock(lock)) this.#lock = lock
    else throw new TypeError(`${owner}: options.lock must be true (a new Lock), false (no lock), or a Lock/RLock to share; got ${typeof lock}`)
  }

  /** Wraps an already resolved lock (or none): for revivers. */
  static of(lock: SharedLock | null, owner: string): Guard {
    return new Guard({ lock: lock ?? false }, owner)
  }

  get(): SharedLock {
    if (this.#lock === null) {
      throw new TypeError(`this ${this.#owner} was created with { lock: false }, so it has no lock: create it with a lock (the default), or guard it with a Lock of your own`)
    }
    return this.#lock
  }

  async run<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    const lock = this.get()
    if (!(await lock.acquire(opts))) throw this.#timeout()
    try {
      return await fn()
    } finally {
      lock.release()
    }
  }

  runSync<T>(fn: () => T, opts?: BlockingOptions): T {
    const lock = this.get()
    if (!lock.acquireSync(opts)) throw this.#timeout()
    try {
      return fn()
    } finally {
      lock.release()
    }
  }

  /** The lock's descriptor (or null for none), to embed in the owner's. */
  async describe(): Promise<HandleDescriptor | null> {
    if (this.#lock === null) return null
    if (!isShareable(this.#lock)) {
      throw new TypeError(`this ${this.#owner}'s lock can't be sent to another thread or process: it is not a skein lock. Use a skein Lock or RLock`)
    }
    return this.#lock[kDescribe]()
  }

  #timeout(): TimeoutError {
    return new TimeoutError(`${this.#owner}: could not acquire its lock before the timeout; pass a longer timeout or find out who holds it`)
  }
}

/** Revives the lock embedded in a descriptor by {@link Guard.describe}. */
export async function reviveLock(d: unknown): Promise<SharedLock | null> {
  return d === null || d === undefined ? null : ((await revive(d as HandleDescriptor)) as SharedLock)
}

function isLock(x: unknown): x is SharedLock {
  const l = x as SharedLock
  return typeof x === 'object' && x !== null && typeof l.acquire === 'function' && typeof l.acquireSync === 'function' && typeof l.release === 'function'
}
