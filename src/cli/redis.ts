/**
 * What the cluster commands (worker, status, purge) share: the `--redis`
 * and `--namespace` options, and a connection for the length of a command.
 */
import { stringOf, type CommandArgs, type OptionSpec } from './command.js'
import type { ClusterConnection } from '../cluster/redis/connection.js'

/** `--redis URL`, required. */
export const REDIS_OPTION: OptionSpec = { type: 'string', value: 'URL', required: true, help: 'the Redis server, e.g. redis://:password@10.0.0.5:6379 (rediss:// for TLS)' }

/** `--namespace NS`, as in connect(). */
export const NAMESPACE_OPTION: OptionSpec = { type: 'string', value: 'NS', help: 'as in connect({ namespace }); default skein' }

/**
 * Runs `use` on a connection to `--redis` in `--namespace` (closed after);
 * `where` is the URL as it may be shown (its password as ***).
 */
export async function withConnection<T>(args: CommandArgs, use: (conn: ClusterConnection, where: string) => Promise<T>): Promise<T> {
  // Loaded here, so that --help and usage errors answer at once (without the Redis client).
  const { openConnection } = await import('../cluster/redis/connection.js')
  const { redactUrl } = await import('../cluster/redis/redis-client.js')
  const url = stringOf(args, 'redis')!
  const conn = await openConnection({ url, namespace: stringOf(args, 'namespace') })
  try {
    return await use(conn, redactUrl(url))
  } finally {
    await conn.close()
  }
}
