/**
 * Dedicated connections for blocking commands (BLMOVE, BLPOP…): a blocked
 * command holds its connection until it answers, so each wait in flight
 * borrows one of its own. A connection comes back to the idle list when its
 * command answered; one whose wait was abandoned (an AbortSignal) is closed,
 * since its command may still be pending on the server.
 */
import type { Redis } from 'ioredis'
import { dropConnection, openRedis } from './redis-client.js'

const MAX_IDLE = 8

export class BlockingPool {
  private readonly idle: Redis[] = []
  private readonly busy = new Set<Redis>()
  private closed = false

  constructor(private readonly url: string, private readonly connectTimeout: number, private readonly label: string) {}

  /**
   * Runs `use` on a dedicated connection. If `use` throws because it was
   * abandoned (`abandoned()` says so), the connection is closed, not reused.
   *
   * @example await pool.with((redis) => redis.blpop('k', 1))
   */
  async with<T>(use: (redis: Redis) => Promise<T>, abandoned: () => boolean = () => false): Promise<T> {
    if (this.closed) throw new Error('this cluster connection is closed: connect() again')
    const redis = this.idle.pop() ?? await openRedis(this.url, this.connectTimeout, `${this.label}:blocking`)
    this.busy.add(redis)
    let reusable = true
    try {
      return await use(redis)
    } catch (error) {
      if (abandoned()) reusable = false
      throw error
    } finally {
      this.busy.delete(redis)
      if (reusable && !this.closed && this.idle.length < MAX_IDLE && redis.status === 'ready') this.idle.push(redis)
      else dropConnection(redis)
    }
  }

  /** Closes every connection, idle and busy (blocked commands reject). */
  close(): void {
    this.closed = true
    for (const redis of [...this.idle, ...this.busy]) dropConnection(redis)
    this.idle.length = 0
    this.busy.clear()
  }
}
