/**
 * `withLock`, `withLockSync` and `hold` written once for every lock-like
 * object (Lock, RLock, Semaphore, FileLock): acquire, run, release however
 * the work ends; a failed acquire (timeout) throws skein's TimeoutError.
 */
import { TimeoutError } from '../errors.js'
import type { BlockingOptions } from './options.js'

/**
 * A held lock, released by `await using` / `using`.
 *
 * @example
 * import { Lock } from 'skein'
 * const lock = new Lock()
 * { await using _held = await lock.hold(); console.log(lock.locked()) } // true, then released
 */
export interface LockHold extends AsyncDisposable, Disposable {}

/** What the helpers need of a lock. */
export interface Acquirable {
  acquire(opts?: BlockingOptions): Promise<boolean>
  acquireSync(opts?: BlockingOptions): boolean
  release(): void
}

/** @internal The error of a lock-like object not acquired before its timeout (here and in the cluster's holds). */
export function timedOut(what: string): TimeoutError {
  return new TimeoutError(`${what}: not acquired before the timeout; pass a longer timeout or find out who holds it`)
}

export async function withHeld<T>(lock: Acquirable, what: string, fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
  if (!(await lock.acquire(opts))) throw timedOut(what)
  try {
    return await fn()
  } finally {
    lock.release()
  }
}

export function withHeldSync<T>(lock: Acquirable, what: string, fn: () => T, opts?: BlockingOptions): T {
  if (!lock.acquireSync(opts)) throw timedOut(what)
  try {
    return fn()
  } finally {
    lock.release()
  }
}

export async function holdOf(lock: Acquirable, what: string, opts?: BlockingOptions): Promise<LockHold> {
  if (!(await lock.acquire(opts))) throw timedOut(what)
  let held = true
  const release = (): void => {
    if (held) {
      held = false
      lock.release()
    }
  }
  return { [Symbol.dispose]: release, [Symbol.asyncDispose]: async () => release() }
}
