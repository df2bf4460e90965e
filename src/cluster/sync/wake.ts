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
 *
 * While Redis is unreachable, commands wait in ioredis' offline queue; the
 * caller's timeout and signal still bound the wait. A try not answered by
 * then (plus {@link GRACE_MS}, so a last try at the deadline still gets its
 * round trip) is abandoned, and a try that acquired after all gives back
 * what it took. The `BLPOP` is a {@link blockingCall}: a broken connection or
 * a stalled Redis ends it the way it ends every blocking wait, and a token
 * it may have taken is passed on.
 */
import { abortReason } from '../../errors.js'
import { deadlineFrom, NOWAIT, type BlockingOptions } from '../../sync/options.js'
import type { ClusterConnection } from '../redis/connection.js'
import { ABANDONED, GRACE_MS, blockingCall } from '../redis/blocking-call.js'

/** A try that Redis did not answer within its bound. */
const STALLED = Symbol('stalled')

/**
 * Blocks until a token arrives on `list` or `ms` pass (null: no limit);
 * rejects with the signal's reason when `signal` aborts. Returns early, for
 * the caller to try again, when the connection broke or Redis stalled; a
 * token the abandoned `BLPOP` may have taken goes to the next waiter.
 *
 * @example await waitForWake(conn, 'app:Lock:orders:wake', 250)
 */
export async function waitForWake(conn: ClusterConnection, list: string, ms: number | null, signal?: AbortSignal): Promise<void> {
  const deadline = ms === null ? null : performance.now() + Math.max(Math.ceil(ms), 1)
  let reply: unknown
  try {
    reply = await blockingCall(conn, ['BLPOP', list], deadline, signal)
  } catch (error) {
    if (signal?.aborted) passOn(conn, list)
    throw error
  }
  if (reply === ABANDONED) passOn(conn, list)
}

/** The server may have popped a token for an abandoned wait just before it ended: give it to the next waiter. */
function passOn(conn: ClusterConnection, list: string): void {
  if (!conn.isClosed) conn.redis.rpush(list, '1').catch(() => {})
}

/**
 * The acquire loop of every cluster lock and semaphore: `attempt` answers
 * null when it acquired, else how long at most to block before trying again
 * (the lease left; Infinity: until a release). Resolves `false` with
 * `blocking: false` or at the timeout, after one last try. `giveBack`
 * undoes an attempt that acquired after it was abandoned.
 *
 * @example await acquireWaking(cluster, wakeList, tryOnce, () => release(), { timeout: 1000 }, 'Lock.acquire()')
 */
export async function acquireWaking(
  cluster: ClusterConnection, list: string, attempt: () => Promise<number | null>, giveBack: () => Promise<void>,
  opts: BlockingOptions | undefined, where: string,
): Promise<boolean> {
  const deadline = deadlineFrom(opts, where)
  const signal = opts?.signal
  if (signal?.aborted) throw abortReason(signal)
  for (;;) {
    const bound = deadline === null ? null : Math.max(deadline === NOWAIT ? 0 : deadline, performance.now() + GRACE_MS)
    const wait = await bounded(attempt(), bound, signal, giveBack)
    if (wait === null) return true
    if (wait === STALLED || deadline === NOWAIT) return false
    let ms: number | null = wait === Infinity ? null : wait
    if (deadline !== null) {
      const left = deadline - performance.now()
      if (left <= 0) return false
      ms = ms === null ? left : Math.min(ms, left)
    }
    await waitForWake(cluster, list, ms, signal)
  }
}

/** `work`, or STALLED at `bound`, or the signal's reason; a late acquire is given back. */
function bounded(work: Promise<number | null>, bound: number | null, signal: AbortSignal | undefined, giveBack: () => Promise<void>): Promise<number | null | typeof STALLED> {
  if (bound === null && signal === undefined) return work // the hot path: no timer, no listener
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      return true
    }
    const abandon = (): boolean => {
      if (!settle()) return false
      work.then((wait) => { if (wait === null) giveBack().catch(() => {}) }, () => {})
      return true
    }
    const onAbort = (): void => { if (abandon()) reject(abortReason(signal as AbortSignal)) }
    const timer = bound === null ? undefined : setTimeout(() => { if (abandon()) resolve(STALLED) }, Math.max(bound - performance.now(), 0))
    signal?.addEventListener('abort', onAbort, { once: true })
    work.then((wait) => { if (settle()) resolve(wait) }, (error: unknown) => { if (settle()) reject(error) })
  })
}
