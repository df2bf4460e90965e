/**
 * The one way a cluster object blocks on Redis: one blocking command
 * (BLPOP, BLMOVE) on a dedicated connection (blocking-pool.ts). Every wait
 * — a lock's or semaphore's wake list (sync/wake.ts), a queue's get and its
 * full put, a pool worker's take, a pool client's wait for outcomes — goes
 * through {@link blockingCall}, so every wait ends the same ways:
 *
 * - **the reply**, or `null` when the deadline passed first (the Redis-side
 *   timeout is what is left of the deadline; while Redis can't be reached,
 *   new connections are tried until the deadline);
 * - **the signal's reason** when an AbortSignal aborts (at once);
 * - **{@link ABANDONED}** when the connection broke mid-wait (rather than
 *   let ioredis send the command again after reconnecting, which would
 *   hide whatever its first run took), or when Redis left it unanswered
 *   {@link GRACE_MS} past its deadline (a stalled server, a partition with
 *   no reset: Redis' own timeout can't fire then).
 *
 * Abandoned or aborted, the command may or may not have run on the server,
 * so its connection is closed, never reused, and the caller looks at what
 * it may have moved: a wake waiter passes on a token, a get puts back its
 * in-flight list, a worker runs what its in-flight list holds.
 */
import type { Redis } from 'ioredis'
import { abortReason } from '../../errors.js'
import type { ClusterConnection } from './connection.js'
import { RedisUnreachableError } from './redis-client.js'

/** How a blocking call ended other than by its reply or its deadline: the command may or may not have run. */
export const ABANDONED = Symbol('abandoned')

/** How long past its deadline a blocking command may go unanswered before it is abandoned (Redis stalled). */
export const GRACE_MS = 1000

/** The connection broke, or Redis stalled past the grace: the command may or may not have run. */
const LOST = Symbol('lost')

/**
 * Runs `args` (a blocking command whose last argument, its timeout in
 * seconds, is appended here) until it replies: its reply; `null` at the
 * deadline (no command is sent when none is left); {@link ABANDONED} when
 * the connection broke or Redis stalled. `deadline` is a
 * `performance.now()` time, or null to wait without a bound (a broken
 * connection still ends it). An aborted `signal` rejects with its reason.
 *
 * @example const reply = await blockingCall(conn, ['BLPOP', 'k'], performance.now() + 1000, undefined)
 */
export async function blockingCall(conn: ClusterConnection, args: (string | number)[], deadline: number | null, signal: AbortSignal | undefined): Promise<unknown> {
  for (;;) {
    if (signal?.aborted) throw abortReason(signal)
    if (deadline !== null && deadline - performance.now() <= 0) return null
    const call = new Call(deadline, signal)
    try {
      const work = conn.blocking.with((redis) => call.run(redis, args), () => call.abandoned)
      work.catch(() => {}) // when given up first, its end is not waited for (the connection is closed when it comes)
      return await Promise.race([work, call.givenUp])
    } catch (error) {
      if (error === LOST) return ABANDONED
      // Redis is down (restarting): keep trying to reach it until the deadline.
      if (error instanceof RedisUnreachableError && !conn.isClosed && !call.abandoned) continue
      throw error
    } finally {
      call.end()
    }
  }
}

/** One try: a timer (deadline + grace) and the signal bound it from the start, while a connection is still being had too. */
class Call {
  abandoned = false
  /** Rejects when the call is given up (LOST or the signal's reason), even before a connection was had. */
  readonly givenUp: Promise<never>
  #giveUp: (reason: unknown) => void = () => {}
  #fail: ((reason: unknown) => void) | undefined
  readonly #timer: NodeJS.Timeout | undefined
  readonly #onAbort = (): void => this.#abandon(abortReason(this.signal as AbortSignal))

  constructor(private readonly deadline: number | null, private readonly signal: AbortSignal | undefined) {
    this.givenUp = new Promise<never>((_, reject) => { this.#giveUp = reject })
    this.givenUp.catch(() => {})
    signal?.addEventListener('abort', this.#onAbort, { once: true })
    if (deadline !== null) this.#timer = setTimeout(() => this.#abandon(LOST), Math.max(deadline - performance.now(), 0) + GRACE_MS)
  }

  run(redis: Redis, args: (string | number)[]): Promise<unknown> {
    if (this.abandoned) return Promise.reject(LOST) // given up while the connection was being made
    const [name, ...rest] = args as [string, ...(string | number)[]]
    const left = this.deadline === null ? 0 : this.deadline - performance.now()
    // 0 is "for ever" to Redis; a positive remainder below 1 ms rounds up to 1 ms.
    const seconds = this.deadline === null ? 0 : Math.max(left, 1) / 1000
    const onClose = (): void => this.#abandon(LOST)
    redis.once('close', onClose)
    return new Promise((resolve, reject) => {
      this.#fail = reject
      redis.callBuffer(name, ...rest, seconds).then(resolve, reject).finally(() => redis.off('close', onClose))
    })
  }

  end(): void {
    clearTimeout(this.#timer)
    this.signal?.removeEventListener('abort', this.#onAbort)
  }

  #abandon(reason: unknown): void {
    if (this.abandoned) return
    this.abandoned = true
    this.#fail?.(reason)
    this.#giveUp(reason)
  }
}
