/**
 * The cluster tests' Redis: a private redis-server per test file (see
 * examples/local-redis.ts), or a skip with a clear reason when redis-server
 * is not installed (`.ci/run` installs it).
 *
 *   const redis = await useRedis()          // in a describe(): started before, stopped after
 */
import { after, before } from 'node:test'
import { startLocalRedis, type LocalRedis } from '../../examples/local-redis.js'

export { startLocalRedis, type LocalRedis }

/** Why cluster tests skip here, or undefined when redis-server is installed. */
export const noRedis: string | undefined = (await import('../../examples/local-redis.js')).redisServerPath() === undefined
  ? 'redis-server is not installed (apt-get install redis-server; .ci/run does it)'
  : undefined

/** A private server for the enclosing suite: `get()` returns it once started. */
export function useRedis(options: { appendonly?: boolean } = {}): { get(): LocalRedis } {
  let redis: LocalRedis | undefined
  before(async () => { redis = await startLocalRedis(options) })
  after(async () => { await redis?.stop() })
  return {
    get() {
      if (redis === undefined) throw new Error(noRedis ?? 'the Redis server has not started')
      return redis
    },
  }
}
