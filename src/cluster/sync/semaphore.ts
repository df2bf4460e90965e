/**
 * The cluster Semaphore and BoundedSemaphore: permits held through leases,
 * so a permit whose holder died comes back.
 *
 * How it works. Keys (`namespace:Semaphore:name…`):
 *   (the key)  a sorted set of the holders' tokens, scored by when their
 *              lease runs out (Redis' own clock, TIME, so clients' clocks
 *              don't matter)
 *   :value     the number of permits, set by the first user of the name
 *              (SET NX); a plain Semaphore's release without a held permit
 *              raises it (Python's semantics)
 *   :wake      the wake list waiters block on (wake.ts)
 * Acquire is one script: drop expired tokens, and add ours if fewer than
 * :value remain; else answer how long until the earliest lease runs out,
 * which bounds the waiter's BLPOP. A timer renews this handle's tokens
 * every third of the lease; a token found expired or gone is lost. Release
 * removes this handle's tokens and pushes one wake token per freed permit,
 * trimming the list to the permits free (extra tokens only wake for nothing).
 */
import type { BlockingOptions } from '../../sync/options.js'
import type { ClusterConnection } from '../redis/connection.js'
import { holdAsync, withHeldAsync, type ClusterHold } from './hold.js'
import { checkLease, LockLostError } from './lease.js'
import { ClusterObject } from '../object.js'
import { Script } from '../redis/script.js'
import { acquireWaking } from './wake.js'

/** Options of a cluster semaphore. */
export interface ClusterSemaphoreOptions {
  /** Milliseconds a permit is kept without renewing; renewed while held. Default 10,000. */
  lease?: number
}

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

const ACQUIRE = new Script(`${NOW}
redis.call('SET', KEYS[2], ARGV[3], 'NX')
local limit = tonumber(redis.call('GET', KEYS[2]))
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[2])), ARGV[1])
  return { 1 }
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then return math.max(tonumber(first[2]) - now, 0) + 1 end
return -1`)

const RENEW = new Script(`${NOW}
local lost = {}
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) > now then
    redis.call('ZADD', KEYS[1], 'XX', string.format('%.0f', now + tonumber(ARGV[1])), ARGV[i])
  else
    if score then redis.call('ZREM', KEYS[1], ARGV[i]) end
    lost[#lost + 1] = ARGV[i]
  end
end
return lost`)

const RELEASE = new Script(`${NOW}
redis.call('SET', KEYS[2], ARGV[1], 'NX')
local lost = 0
for i = 3, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score then redis.call('ZREM', KEYS[1], ARGV[i]) end
  if not score or tonumber(score) <= now then lost = lost + 1 end
end
local raise = tonumber(ARGV[2])
if raise > 0 then redis.call('INCRBY', KEYS[2], raise) end
local freed = #ARGV - 2 - lost + raise
if freed > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
  local free = tonumber(redis.call('GET', KEYS[2])) - redis.call('ZCARD', KEYS[1])
  for i = 1, freed do redis.call('RPUSH', KEYS[3], '1') end
  redis.call('LTRIM', KEYS[3], 0, math.max(free, 1) - 1)
end
return lost`)

const VALUE = new Script(`${NOW}
local limit = tonumber(redis.call('GET', KEYS[2]) or ARGV[1])
return limit - redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%.0f', now), '+inf')`)

let acquires = 0

/**
 * A counting semaphore shared by every process on every machine that names
 * it: at most `value` holders at once; made by `cluster.Semaphore(name, value)`.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const slots = cluster.Semaphore('downloads', 3)
 * await slots.withLock(async () => { console.log('one of at most 3, on every machine') })
 * await cluster.close()
 *
 * Semantics: the local Semaphore's, in async form only. The number of
 * permits is set by the first user of the name (a later `value` is
 * ignored). Each permit is held through a lease renewed while held, so a
 * permit whose holder died (killed, partitioned, paused past its lease)
 * comes back when the lease runs out. `release()` gives back a permit this
 * handle holds; with none held, a Semaphore's release adds a permit
 * (Python's semantics) and a BoundedSemaphore's rejects with RangeError.
 * A permit whose lease ran out before its release rejects with
 * LockLostError. Waiters block on Redis (no polling), not in order.
 * Permits are held until released or their holder dies: to signal between
 * processes, use an Event or a Queue.
 */
export class ClusterSemaphore extends ClusterObject {
  readonly #initial: number
  readonly #lease: number
  readonly #bounded: boolean
  readonly #keys: [holders: string, value: string, wake: string]
  readonly #tokens: string[] = []
  readonly #lost = new Set<string>()
  #timer: NodeJS.Timeout | undefined

  constructor(cluster: ClusterConnection, name: string, value: number, options: ClusterSemaphoreOptions) {
    const type = new.target === ClusterBoundedSemaphore ? 'BoundedSemaphore' : 'Semaphore'
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`cluster.${type}('${name}', value): value must be an integer >= 0 (got ${String(value)})`)
    const lease = checkLease(options?.lease, `cluster.${type}('${name}', value, { lease })`)
    super(cluster, name, type, { lease, value })
    this.#initial = value
    this.#lease = lease
    this.#bounded = type === 'BoundedSemaphore'
    this.#keys = [this.key(), this.key('value'), this.key('wake')]
  }

  /** Permits this handle holds. */
  get held(): number {
    return this.#tokens.length
  }

  /** Permits free now, on every machine (Python's `_value`; for display and tests). */
  async value(): Promise<number> {
    return Number(await VALUE.run(this.cluster.redis, this.#keys.slice(0, 2), [this.#initial]))
  }

  /** Takes a permit; `false` if `blocking: false` or none came before the timeout; rejects if `signal` aborts. */
  acquire(opts?: BlockingOptions): Promise<boolean> {
    return acquireWaking(this.cluster, this.#keys[2], this.#attempt, this.#giveBack, opts, `${this.#what}.acquire()`)
  }

  /** Gives back `n` permits (default 1), this handle's first; see the class for what happens with none held. */
  async release(n = 1): Promise<void> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${this.#what}.release(n): n must be a positive integer (got ${String(n)})`)
    const held = this.#tokens.length
    if (this.#bounded && n > held) {
      throw new RangeError(`BoundedSemaphore.release(): released too many times (this handle holds ${held} permit(s), asked to give back ${n}); release only what you acquired`)
    }
    // Live permits first (taken from the end); lost ones are reported when nothing else is left.
    this.#tokens.sort((a, b) => Number(this.#lost.has(b)) - Number(this.#lost.has(a)))
    const take = Math.min(n, held)
    const tokens = this.#tokens.splice(held - take, take)
    for (const token of tokens) this.#lost.delete(token)
    if (this.#tokens.length === 0) this.#stopRenewing()
    const lost = Number(await RELEASE.run(this.cluster.redis, this.#keys, [this.#initial, n - take, ...tokens]))
    if (lost > 0) {
      throw new LockLostError(`${this.#what}.release(): the lease (${this.#lease} ms) of ${lost} permit(s) ran out before release, so others may have used them meanwhile (this holder was paused, partitioned or too slow to renew). Check the work done under them; a longer lease makes it rarer`)
    }
  }

  /** Runs `fn` holding a permit; gives it back however `fn` ends (TimeoutError if none came in time). */
  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return withHeldAsync(this, this.#what, fn, opts)
  }

  /** Takes a permit and returns a hold for `await using`. */
  hold(opts?: BlockingOptions): Promise<ClusterHold> {
    return holdAsync(this, this.#what, opts)
  }

  get #what(): string {
    return this.#bounded ? 'BoundedSemaphore' : 'Semaphore'
  }

  /** Gives back the permit an abandoned try took after all. */
  readonly #giveBack = (): Promise<void> => this.release()

  readonly #attempt = async (): Promise<number | null> => {
    const token = `${this.cluster.clientId}:${++acquires}`
    const reply = await ACQUIRE.run(this.cluster.redis, this.#keys.slice(0, 2), [token, this.#lease, this.#initial])
    if (Array.isArray(reply)) {
      this.#tokens.push(token)
      if (this.#timer === undefined) {
        this.#timer = setInterval(() => void this.#renew(), Math.max(Math.floor(this.#lease / 3), 10))
        this.#timer.unref() // a held permit never keeps a process alive; its lease runs out after exit
      }
      return null
    }
    const wait = Number(reply)
    return wait < 0 ? Infinity : wait
  }

  async #renew(): Promise<void> {
    if (this.cluster.isClosed) return this.#stopRenewing()
    const live = this.#tokens.filter((token) => !this.#lost.has(token))
    if (live.length === 0) return
    try {
      const lost = await RENEW.run(this.cluster.redis, [this.#keys[0]], [this.#lease, ...live]) as string[]
      for (const token of lost) if (this.#tokens.includes(token)) this.#lost.add(token)
    } catch {
      // Redis unreachable for now: the next renewal tries again (leases may run out meanwhile).
    }
  }

  #stopRenewing(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}

/**
 * A semaphore whose `release()` without a held permit rejects, instead of
 * adding a permit.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const b = cluster.BoundedSemaphore('slots', 1)
 * await b.release().catch((e) => console.log(e.name)) // RangeError
 * await cluster.close()
 */
export class ClusterBoundedSemaphore extends ClusterSemaphore {}
