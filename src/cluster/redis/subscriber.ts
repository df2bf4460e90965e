/**
 * One pub/sub connection per cluster connection, shared by every wait that
 * listens for a channel (an Event's set, say). Subscribing is counted per
 * channel, so two waits on one channel share one SUBSCRIBE.
 *
 * A message published while the connection is down (reconnecting) reaches
 * nobody. So after a reconnect, once every channel is subscribed again on
 * the server, each listener's `resync` runs: the waiter re-checks the state
 * the message would have announced (as it did after its first SUBSCRIBE).
 */
import type { Redis } from 'ioredis'
import { dropConnection, openRedis } from './redis-client.js'

type Listener = (message: string) => void

interface Watch {
  listener: Listener
  resync: (() => void) | undefined
}

export class Subscriber {
  private redis: Promise<Redis> | undefined
  private readonly listeners = new Map<string, Set<Watch>>()
  /** Each channel's SUBSCRIBE, in flight or done. */
  private readonly subscribed = new Map<string, Promise<unknown>>()

  constructor(private readonly url: string, private readonly connectTimeout: number, private readonly label: string) {}

  /**
   * Calls `listener` with every message on `channel` until the returned
   * function is called; resolves once the subscription is active on the server.
   * `resync` is called after a reconnect, once the subscription is active
   * again: messages of the outage are lost, so re-check what they announce.
   *
   * @example const stop = await sub.subscribe('ch', (m) => console.log(m)); await stop()
   */
  async subscribe(channel: string, listener: Listener, resync?: () => void): Promise<() => Promise<void>> {
    const redis = await this.connection()
    let set = this.listeners.get(channel)
    if (set === undefined) {
      set = new Set()
      this.listeners.set(channel, set)
      this.subscribed.set(channel, redis.subscribe(channel))
    }
    const watch: Watch = { listener, resync }
    set.add(watch)
    // A second listener also waits for the SUBSCRIBE to be active: the caller may re-check state after this resolves.
    const stop = async (): Promise<void> => {
      const current = this.listeners.get(channel)
      if (current === undefined || !current.delete(watch) || current.size > 0) return
      this.listeners.delete(channel)
      this.subscribed.delete(channel)
      if (redis.status === 'ready') await redis.unsubscribe(channel).catch(() => {})
    }
    try {
      await this.subscribed.get(channel)
    } catch (error) {
      await stop()
      throw error
    }
    return stop
  }

  close(): void {
    this.redis?.then(dropConnection, () => {})
    this.redis = undefined
    this.listeners.clear()
    this.subscribed.clear()
  }

  private connection(): Promise<Redis> {
    this.redis ??= openRedis(this.url, this.connectTimeout, `${this.label}:sub`).then((redis) => {
      redis.on('message', (channel: string, message: string) => {
        for (const watch of this.listeners.get(channel) ?? []) watch.listener(message)
      })
      // openRedis resolved on the first 'ready': every later one is a reconnect.
      redis.on('ready', () => void this.resync(redis))
      return redis
    })
    return this.redis
  }

  /** After a reconnect: subscribe every channel again (ioredis does too; this one's reply says it is active), then resync. */
  private async resync(redis: Redis): Promise<void> {
    const channels = [...this.listeners.keys()]
    if (channels.length === 0) return
    try {
      await redis.subscribe(...channels)
    } catch {
      return // lost again: the next 'ready' resyncs
    }
    for (const channel of channels) {
      for (const watch of this.listeners.get(channel) ?? []) watch.resync?.()
    }
  }
}
