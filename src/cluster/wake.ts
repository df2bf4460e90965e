/**
 * Waiting without polling: the wake list of a lock or semaphore.
 *
 * How it works. A waiter that found the object taken blocks with `BLPOP` on
 * the object's wake list, on a connection of its own (blocking-pool.ts),
 * for at most as long as the current lease has left: so a release wakes it
 * at once (the releaser pushes a token), and a holder that died is noticed
 * when its lease runs out, with no polling loop. A token pushed while no one
 * was blocked stays in the list, so a release that falls between a waiter's
 * failed try and its `BLPOP` is not lost; a stale token only costs one
 * spurious wake-up (the waiter tries again and blocks again).
 */
import { abortReason } from '../errors.js'
import { deadlineFrom, NOWAIT, type BlockingOptions } from '../sync/options.js'
import type { Cluster } from './cluster.js'

/**
 * Blocks until a token arrives on `list` or `ms` pass (null: no limit);
 * rejects with the signal's reason when `signal` aborts (the connection is
 * then closed, and a token it may have taken is passed on).
 *
 * @example await waitForWake(cluster, 'app:Lock:orders:wake', 250)
 */
export async function waitForWake(cluster: Cluster, list: string, ms: number | null, signal?: AbortSignal): Promise<void> {
  // BLPOP's timeout is in seconds (decimals allowed); 0 would mean "for ever".
  const seconds = ms === null ? 0 : Math.max(Math.ceil(ms), 1) / 1000
  if (signal === undefined) {
    await cluster.blocking.with((redis) => redis.blpop(list, seconds))
    return
  }
  if (signal.aborted) throw abortReason(signal)
  try {
    await cluster.blocking.with((redis) => new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => reject(abortReason(signal))
      signal.addEventListener('abort', onAbort, { once: true })
      redis.blpop(list, seconds).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    }), () => signal.aborted)
  } catch (error) {
    // The server may have popped a token for us just before the connection closed: give it to the next waiter.
    if (signal.aborted && !cluster.isClosed) cluster.redis.rpush(list, '1').catch(() => {})
    throw error
  }
}

/**
 * The acquire loop of every cluster lock and semaphore: `attempt` answers
 * null when it acquired, else how long at most to block before trying again
 * (the lease left; Infinity: until a release). Resolves `false` with
 * `blocking: false` or at the timeout, after one last try.
 *
 * @example await acquireWaking(cluster, wakeList, tryOnce, { timeout: 1000 }, 'Lock.acquire()')
 */
export async function acquireWaking(cluster: Cluster, list: string, attempt: () => Promise<number | null>, opts: BlockingOptions | undefined, where: string): Promise<boolean> {
  const deadline = deadlineFrom(opts, where)
  const signal = opts?.signal
  if (signal?.aborted) throw abortReason(signal)
  for (;;) {
    const wait = await attempt()
    if (wait === null) return true
    if (deadline === NOWAIT) return false
    let ms: number | null = wait === Infinity ? null : wait
    if (deadline !== null) {
      const left = deadline - performance.now()
      if (left <= 0) return false
      ms = ms === null ? left : Math.min(ms, left)
    }
    await waitForWake(cluster, list, ms, signal)
  }
}
