/**
 * A Lua script run by its SHA1 (EVALSHA), loaded again when Redis answers
 * NOSCRIPT — after a restart the script cache is empty, and every atomic
 * step of the cluster objects is one of these.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

/** @example const incr = new Script('return redis.call("INCR", KEYS[1])'); await incr.run(redis, ['k'], []) */
export class Script {
  readonly sha: string
  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex')
  }

  /** Runs the script atomically on `redis` with `keys` and `args`. */
  async run(redis: Redis, keys: readonly (string | Buffer)[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return redis.eval(this.lua, keys.length, ...keys, ...args)
    }
  }

  /** As {@link run}, with Buffer replies (for scripts that return stored items). */
  async runBuffer(redis: Redis, keys: readonly (string | Buffer)[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    try {
      return await redis.callBuffer('EVALSHA', this.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return redis.callBuffer('EVAL', this.lua, keys.length, ...keys, ...args)
    }
  }
}
