/**
 * `withLock`, `withLockSync` and `hold` written once for every lock-like
 * object (Lock, RLock, Semaphore, FileLock): acquire, run, release however
 * the work ends; a failed acquire (timeout) throws skein's TimeoutError.
 */
import { TimeoutError, describedLater } from '../errors.js'
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
  /**
   * Who holds it now, for the timeout's message: reads what it needs now and
   * returns what puts it in words (called only if the message is read);
   * `since`: when the wait began, epoch ms.
   */
  culprit?(since: number): () => string
}

/**
 * @internal The error of a lock-like object not acquired before its
 * timeout (here and in the cluster's holds); `holder` says who holds it.
 */
export function timedOut(what: string, holder?: string): TimeoutError {
  return holder === undefined
    ? new TimeoutError(`${what}: not acquired before the timeout; pass a longer timeout or find out who holds it`)
    : new TimeoutError(`${what}: not acquired before the timeout: ${holder}. Pass a longer timeout, or see why it is held so long (\`skein top\`)`)
}

/** The timeout error of `lock`, naming its holder when the lock can tell (described when the message is first read). */
function notAcquired(lock: Acquirable, what: string, since: number): TimeoutError {
  let describe: (() => string) | undefined
  try {
    describe = lock.culprit?.(since)
  } catch {
    describe = undefined // the error must not fail for want of a culprit
  }
  if (describe === undefined) return timedOut(what)
  return describedLater(timedOut(what), () => {
    let holder: string | undefined
    try {
      holder = describe()
    } catch {
      holder = undefined
    }
    return timedOut(what, holder).message
  })
}

export async function withHeld<T>(lock: Acquirable, what: string, fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
  const since = Date.now()
  if (!(await lock.acquire(opts))) throw notAcquired(lock, what, since)
  try {
    return await fn()
  } finally {
    lock.release()
  }
}

export function withHeldSync<T>(lock: Acquirable, what: string, fn: () => T, opts?: BlockingOptions): T {
  const since = Date.now()
  if (!lock.acquireSync(opts)) throw notAcquired(lock, what, since)
  try {
    return fn()
  } finally {
    lock.release()
  }
}

export async function holdOf(lock: Acquirable, what: string, opts?: BlockingOptions): Promise<LockHold> {
  const since = Date.now()
  if (!(await lock.acquire(opts))) throw notAcquired(lock, what, since)
  let held = true
  const release = (): void => {
    if (held) {
      held = false
      lock.release()
    }
  }
  return { [Symbol.dispose]: release, [Symbol.asyncDispose]: async () => release() }
}
