/**
 * The cluster Event: a flag in a Redis key, and a pub/sub channel that
 * `set()` announces itself on.
 *
 * How it works. `set()` is one script: SET the key, then PUBLISH on the
 * event's channel. `wait()` checks the key, and if it is not set subscribes
 * to the channel (the cluster's one pub/sub connection, subscriber.ts) and,
 * once the subscription is active on the server, checks the key again — a
 * `set()` before that check is seen by the check, one after it by the
 * message, so none is missed, and nothing polls. After the pub/sub
 * connection reconnects (messages of the outage are lost) the wait checks
 * the key again, once subscribed again. Like Python's, a wait
 * woken by a `set()` returns true even if the event was cleared since.
 */
import { abortReason } from '../../errors.js'
import { checkTimeout } from '../../sync/options.js'
import { deadlineOf } from '../../sync/wait.js'
import type { ClusterConnection } from '../redis/connection.js'
import { keepAliveWhile } from '../redis/keep-alive.js'
import { ClusterObject } from '../object.js'
import { Script } from '../redis/script.js'

const SET = new Script(`
redis.call('SET', KEYS[1], '1')
redis.call('PUBLISH', KEYS[1], '1')
return 1`)

/** Options of {@link ClusterEvent.wait}. */
export interface ClusterEventWaitOptions {
  /** Milliseconds to wait at most; default: for ever. */
  timeout?: number
  /** Aborting it rejects the wait with the signal's reason. */
  signal?: AbortSignal
}

/**
 * A flag that processes on every machine can wait for; made by
 * `cluster.Event(name)`.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const ready = cluster.Event('ready')
 * setTimeout(() => void ready.set(), 10)
 * console.log(await ready.wait({ timeout: 5000 }))   // true
 * await cluster.close()
 *
 * Semantics: the local Event's, in async form only: `set()` wakes every
 * waiter, `wait()` resolves true once set (at once if it already is), false
 * at the timeout; `wait(timeout)` with a number works too. The flag stays
 * in Redis until `clear()`.
 */
export class ClusterEvent extends ClusterObject {
  constructor(cluster: ClusterConnection, name: string) {
    super(cluster, name, 'Event')
  }

  /** Whether the flag is set. */
  async isSet(): Promise<boolean> {
    return (await this.cluster.redis.exists(this.key())) === 1
  }

  /** Sets the flag and wakes every waiter, on every machine. */
  async set(): Promise<void> {
    await SET.run(this.cluster.redis, [this.key()], [])
  }

  /** Clears the flag. */
  async clear(): Promise<void> {
    await this.cluster.redis.del(this.key())
  }

  /** Waits until set; false at the timeout; rejects with the signal's reason if it aborts. */
  async wait(options?: number | ClusterEventWaitOptions, more?: { signal?: AbortSignal }): Promise<boolean> {
    const { timeout, signal } = typeof options === 'object' && options !== null ? options : { timeout: options, signal: more?.signal }
    const deadline = deadlineOf(checkTimeout(timeout, 'Event.wait()'))
    if (signal?.aborted) throw abortReason(signal)
    if (await this.isSet()) return true
    return keepAliveWhile(this.#untilSet(deadline, signal))
  }

  #untilSet(deadline: number | null, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let settled = false
      let unsubscribe: (() => Promise<void>) | undefined
      let timer: NodeJS.Timeout | undefined
      const finish = (settle: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        unsubscribe?.().catch(() => {})
        settle()
      }
      const onAbort = (): void => finish(() => reject(abortReason(signal!)))
      signal?.addEventListener('abort', onAbort, { once: true })
      if (deadline !== null) timer = setTimeout(() => finish(() => resolve(false)), Math.max(deadline - performance.now(), 0))
      // Subscribed (again, after a reconnect): a set() from now on arrives as a message; one before is in the key.
      const recheck = (): void => {
        this.isSet().then((set) => { if (set) finish(() => resolve(true)) }, (error: unknown) => finish(() => reject(error)))
      }
      this.cluster.subscriber.subscribe(this.key(), () => finish(() => resolve(true)), recheck).then((stop) => {
        unsubscribe = stop
        if (settled) return void stop().catch(() => {})
        recheck()
      }).catch((error: unknown) => finish(() => reject(error)))
    })
  }
}
