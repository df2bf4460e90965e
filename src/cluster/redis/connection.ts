/**
 * What every cluster object needs from its connection, and nothing more:
 * the Redis connections (commands, pub/sub, blocking waits), the key naming
 * and the client id. Objects (sync/, queue/, dict.ts, pool/) depend on this
 * class; the `Cluster` façade (cluster.ts) extends it with the factories
 * that make them, so nothing below the façade imports it.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Redis } from 'ioredis'
import { BlockingPool } from './blocking-pool.js'
import { dropConnection, openRedis } from './redis-client.js'
import { Subscriber } from './subscriber.js'

/** How long close() lets the commands already sent finish (Redis answers QUIT after them) before it fails them. */
const CLOSE_GRACE_MS = 2000

/** The options of `connect()`, checked. */
export interface ConnectionSettings {
  url: string
  namespace: string
  connectTimeout: number
}

/**
 * A connection to Redis as the cluster objects use it. Made through
 * `connect()` (which returns the `Cluster` façade) or, below the façade,
 * {@link openConnection}.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379', namespace: 'app' })
 * console.log(cluster.key('Lock', 'orders'))   // app:Lock:orders
 * await cluster.close()
 */
export class ClusterConnection {
  /** Unique per connection: names this client's in-flight lists and lock tokens. */
  readonly clientId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  /** @internal Connections for blocking commands. */
  readonly blocking: BlockingPool
  /** @internal The shared pub/sub connection. */
  readonly subscriber: Subscriber
  #closed = false

  /** @internal Use `connect()`. */
  constructor(
    /** The Redis URL this connection was made with (receivers of its objects connect to it too). */
    readonly url: string,
    /** Prefix of every key; objects of other namespaces never meet. */
    readonly namespace: string,
    /** @internal The command connection (pipelined, shared). */
    readonly redis: Redis,
    /** @internal Milliseconds to wait for further connections. */
    readonly connectTimeout: number,
  ) {
    this.blocking = new BlockingPool(url, connectTimeout, this.clientId)
    this.subscriber = new Subscriber(url, connectTimeout, this.clientId)
  }

  /** @internal `namespace:type:name[:part…]`. */
  key(type: string, name: string, ...parts: string[]): string {
    return [this.namespace, type, name, ...parts].join(':')
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.#closed
  }

  /**
   * Closes every connection of this cluster connection; objects made from
   * it fail afterwards. Commands already sent finish when Redis answers
   * within 2 s; any still pending then (Redis down or stalled) are rejected.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.blocking.close()
    this.subscriber.close()
    // While the connection is down, ioredis keeps the commands sent before the loss for a reconnect,
    // and QUIT "succeeds" at once without one: those commands would stay pending for ever and hold
    // the process alive (keep-alive.ts). So quit only a live connection, and then drop what is left.
    if (this.redis.status === 'ready') await settledWithin(this.redis.quit(), CLOSE_GRACE_MS)
    dropConnection(this.redis)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}

/**
 * Checks `connect()`'s options and opens the command connection; rejects
 * with `RedisUnreachableError` (naming the URL) after `connectTimeout`.
 *
 * @example const { settings, redis } = await openSettings({ url: 'redis://127.0.0.1:6379' })
 */
export async function openSettings(options: { url: string; namespace?: string; connectTimeout?: number }): Promise<{ settings: ConnectionSettings; redis: Redis }> {
  if (typeof options !== 'object' || options === null || typeof options.url !== 'string') {
    throw new TypeError("connect({ url }): url must be a Redis URL string such as 'redis://127.0.0.1:6379'")
  }
  const namespace = options.namespace ?? 'skein'
  if (typeof namespace !== 'string' || namespace.length === 0 || /[\s:*?[\]]/.test(namespace)) {
    throw new TypeError(`connect({ namespace }): namespace must be a non-empty string without spaces, ':' or glob characters (got ${JSON.stringify(namespace)})`)
  }
  const connectTimeout = options.connectTimeout ?? 3000
  if (!(connectTimeout > 0)) throw new RangeError(`connect({ connectTimeout }): must be a positive number of milliseconds (got ${String(connectTimeout)})`)
  const redis = await openRedis(options.url, connectTimeout, `skein:${namespace}`)
  return { settings: { url: options.url, namespace, connectTimeout }, redis }
}

/**
 * A connection without the object factories, for programs below the
 * `Cluster` façade (the pool worker, the CLI's status and purge).
 *
 * @example const conn = await openConnection({ url: 'redis://127.0.0.1:6379' }); await conn.close()
 */
export async function openConnection(options: { url: string; namespace?: string; connectTimeout?: number }): Promise<ClusterConnection> {
  const { settings, redis } = await openSettings(options)
  return new ClusterConnection(settings.url, settings.namespace, redis, settings.connectTimeout)
}

/** Waits for `work` to settle, or `ms` at most; never rejects. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}
