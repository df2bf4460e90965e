/**
 * `withLock` and `hold` written once for the cluster's lock-like objects
 * (Lock, RLock, Semaphore): their `release` talks to Redis, so it is async,
 * and a hold is released by `await using` (there is no sync `using` form).
 */
import { timedOut } from '../../sync/held.js'
import type { BlockingOptions } from '../../sync/options.js'

/**
 * A held cluster lock or permit, released by `await using`.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * { await using _held = await cluster.Lock('orders').hold(); console.log('mine') } // released here
 */
export interface ClusterHold extends AsyncDisposable {}

/** What the helpers need of a cluster lock. */
export interface AsyncAcquirable {
  acquire(opts?: BlockingOptions): Promise<boolean>
  release(): Promise<void>
}

/** Acquires, runs `fn`, releases however `fn` ends (a release that finds the lease lost throws LockLostError). */
export async function withHeldAsync<T>(lock: AsyncAcquirable, what: string, fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
  if (!(await lock.acquire(opts))) throw timedOut(what)
  try {
    return await fn()
  } finally {
    await lock.release()
  }
}

/** Acquires and returns a hold whose `Symbol.asyncDispose` releases (once). */
export async function holdAsync(lock: AsyncAcquirable, what: string, opts?: BlockingOptions): Promise<ClusterHold> {
  if (!(await lock.acquire(opts))) throw timedOut(what)
  let held = true
  return {
    async [Symbol.asyncDispose]() {
      if (!held) return
      held = false
      await lock.release()
    },
  }
}
