/**
 * `connect()`: the entry to a skein cluster.
 */
import { Cluster } from './cluster.js'
import { openSettings } from './redis/connection.js'

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
  const { settings, redis } = await openSettings(options)
  return new Cluster(settings.url, settings.namespace, redis, settings.connectTimeout)
}
