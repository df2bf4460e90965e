/**
 * One blocking command (BLMOVE, BLPOP) on a dedicated connection, the way
 * the queue's waits want it: the Redis-side timeout is what is left of the
 * deadline, an AbortSignal abandons it (the pool then closes the
 * connection, since the command may still be pending on the server), and a
 * connection lost mid-wait abandons it too — rather than letting ioredis
 * send it again after reconnecting, which would leave whatever its first
 * run took out of sight — so the caller can look at what it may have moved.
 */
import type { Redis } from 'ioredis'
import { abortReason } from '../../errors.js'
import type { ClusterConnection } from './connection.js'
import { RedisUnreachableError } from './redis-client.js'

/** How a blocking call ended other than by its reply. */
export const ABANDONED = Symbol('abandoned')

/** The connection broke mid-wait: the command may or may not have run. */
class ConnectionLost extends Error {}

/**
 * Runs `args` (a blocking command whose last argument is its timeout in
 * seconds, appended here) until it replies; `null` when the deadline passed
 * first (with no command sent when none was left), {@link ABANDONED} when
 * the connection was lost. An aborted `signal` rejects with its reason.
 *
 * @example const reply = await blockingCall(cluster, ['BLPOP', 'k'], performance.now() + 1000, undefined)
 */
export async function blockingCall(cluster: ClusterConnection, args: (string | number)[], deadline: number | null, signal: AbortSignal | undefined): Promise<unknown> {
  for (;;) {
    if (signal?.aborted) throw abortReason(signal)
    const left = deadline === null ? 0 : deadline - performance.now()
    if (deadline !== null && left <= 0) return null
    let abandoned = false
    try {
      return await cluster.blocking.with((redis) => waitFor(redis, args, left, signal, () => { abandoned = true }), () => abandoned)
    } catch (error) {
      if (error instanceof ConnectionLost) return ABANDONED
      // Redis is down (restarting): keep trying to reach it until the deadline.
      if (error instanceof RedisUnreachableError && !cluster.isClosed) continue
      throw error
    }
  }
}

function waitFor(redis: Redis, args: (string | number)[], leftMs: number, signal: AbortSignal | undefined, abandon: () => void): Promise<unknown> {
  const [name, ...rest] = args as [string, ...(string | number)[]]
  // 0 is "forever" to Redis; a positive remainder below 1 ms rounds up to 1 ms.
  const seconds = leftMs <= 0 ? 0 : Math.max(leftMs, 1) / 1000
  return new Promise((resolve, reject) => {
    const onAbort = () => { abandon(); reject(abortReason(signal as AbortSignal)) }
    const onClose = () => { abandon(); reject(new ConnectionLost()) }
    signal?.addEventListener('abort', onAbort, { once: true })
    redis.once('close', onClose)
    redis.callBuffer(name, ...rest, seconds).then(resolve, reject).finally(() => {
      signal?.removeEventListener('abort', onAbort)
      redis.off('close', onClose)
    })
  })
}
