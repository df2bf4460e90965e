/**
 * `connect()`: the entry to a skein cluster.
 */
import { Cluster } from './cluster.js'
import { openRedis } from './redis/redis-client.js'

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The Redis server, e.g. `redis://127.0.0.1:6379` (`redis://user:pass@host:port/db`). */
  url: string
  /** Prefix of every key; default `'skein'`. Objects of other namespaces never meet. */
  namespace?: string
  /** Milliseconds to wait for Redis before rejecting with RedisUnreachableError; default 3000. */
  connectTimeout?: number
}

/**
 * Connects to Redis; rejects with `RedisUnreachableError` (naming the URL)
 * when it can't be reached within `connectTimeout`. A connection lost later
 * is re-made for ever; calls in flight wait, or fail by their own timeouts.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * await using cluster = await connect({ url: 'redis://127.0.0.1:6379', namespace: 'app' })
 * const q = cluster.Queue<string>('jobs')
 * await q.put('hello')
 */
export async function connect(options: ConnectOptions): Promise<Cluster> {
  if (typeof options !== 'object' || options === null || typeof options.url !== 'string') {
    throw new TypeError("connect({ url }): url must be a Redis URL string such as 'redis://127.0.0.1:6379'")
  }
  const namespace = options.namespace ?? 'skein'
  if (typeof namespace !== 'string' || namespace.length === 0 || namespace.includes(' ')) {
    throw new TypeError(`connect({ namespace }): namespace must be a non-empty string without spaces (got ${JSON.stringify(namespace)})`)
  }
  const connectTimeout = options.connectTimeout ?? 3000
  if (!(connectTimeout > 0)) throw new RangeError(`connect({ connectTimeout }): must be a positive number of milliseconds (got ${String(connectTimeout)})`)
  const redis = await openRedis(options.url, connectTimeout, `skein:${namespace}`)
  return new Cluster(options.url, namespace, redis, connectTimeout)
}
