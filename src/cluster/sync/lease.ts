/**
 * The lease under the cluster's Lock and RLock: one Redis key held for a
 * limited time and renewed while held, with a fencing counter.
 *
 * How it works. Keys (`namespace:Lock:name…`):
 *   (the key)  the holder's token, with a PX expiry of one lease
 *   :fence     a counter bumped by every acquire (INCR): the fencing token
 *   :held      the last acquirer's token, no expiry; release deletes it, so
 *              an acquire that finds it still there took over from a holder
 *              whose lease ran out (`recovered`)
 *   :wake      the wake list waiters block on (wake.ts)
 * Acquire is one script (SET NX PX, then SET :held GET and INCR :fence;
 * Redis >= 6.2); when the lock is taken it answers the holder's PTTL, which
 * bounds the waiter's BLPOP. A timer renews the lease every third of it
 * while held, by a script that extends the expiry only if the key still
 * holds our token; finding another token marks the lease lost. Release is
 * one script that deletes the key only if it holds our token, then pushes a
 * wake token unless one is already there (the list never holds more than
 * one: a lock frees one waiter at a time). Tokens are unique per acquire
 * (client id + counter).
 */
import { SkeinError } from '../../errors.js'
import type { BlockingOptions } from '../../sync/options.js'
import type { ClusterConnection } from '../redis/connection.js'
import { Script } from '../redis/script.js'
import { acquireWaking } from './wake.js'

/**
 * `release()` found that this holder's lease had run out: the holder was
 * paused, partitioned or too slow to renew, and another may have held the
 * lock (or the permit) meanwhile.
 *
 * @example
 * import { connect, LockLostError } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const lock = cluster.Lock('orders', { lease: 1000 })
 * await lock.acquire()
 * try { await lock.release() } catch (e) { if (e instanceof LockLostError) console.log('check what was written under the lock') }
 */
export class LockLostError extends SkeinError {
  constructor(message: string) {
    super(message, 'ERR_SKEIN_LOCK_LOST')
  }
}

const ACQUIRE = new Script(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local previous = redis.call('SET', KEYS[3], ARGV[1], 'GET')
  return { redis.call('INCR', KEYS[2]), previous and 1 or 0 }
end
return redis.call('PTTL', KEYS[1])`)

const RENEW = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)

const RELEASE = new Script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
if redis.call('LLEN', KEYS[3]) == 0 then redis.call('RPUSH', KEYS[3], '1') end
return 1`)

/** The Redis keys of one lock. */
export interface LeaseKeys {
  lock: string
  fence: string
  held: string
  wake: string
}

let acquires = 0

/** Validates a `lease` option: milliseconds, at least 30 (renewed every third). */
export function checkLease(lease: unknown, where: string): number {
  if (lease === undefined) return 10_000
  if (typeof lease !== 'number' || !Number.isFinite(lease) || lease < 30) {
    throw new RangeError(`${where}: lease must be a number of milliseconds >= 30 (got ${String(lease)}); it is how long a holder that stopped renewing keeps what it holds`)
  }
  return Math.round(lease)
}

/** @internal One lock's lease, as seen by one handle. */
export class Lease {
  #token: string | undefined
  #timer: NodeJS.Timeout | undefined
  /** The fencing token of this handle's last acquire. */
  fence = 0
  /** Whether this handle's last acquire took over from a holder whose lease ran out. */
  recovered = false
  /** Whether a renewal found the lease lost (release will throw LockLostError). */
  lost = false

  constructor(private readonly cluster: ClusterConnection, private readonly keys: LeaseKeys, readonly ms: number, private readonly what: string) {}

  /** Whether this handle holds the lease (as far as it knows: see `lost`). */
  get held(): boolean {
    return this.#token !== undefined
  }

  /** Acquires, blocking on the wake list while taken; `false` at the deadline or with `blocking: false`. */
  acquire(opts: BlockingOptions | undefined): Promise<boolean> {
    return acquireWaking(this.cluster, this.keys.wake, this.#attempt, this.#giveBack, opts, `${this.what}.acquire()`)
  }

  /** Releases; RangeError if this handle does not hold it, LockLostError if its lease ran out. */
  async release(): Promise<void> {
    const token = this.#token
    if (token === undefined) {
      throw new RangeError(`${this.what}.release(): the lock is not held by this handle; release only after a successful acquire, through the handle that acquired it`)
    }
    // Forget the token before the round trip: another task's acquire on this handle may succeed as soon as the key is gone.
    this.#token = undefined
    this.lost = false
    const released = await RELEASE.run(this.cluster.redis, [this.keys.lock, this.keys.held, this.keys.wake], [token])
    if (released !== 1) {
      throw new LockLostError(`${this.what}.release(): the lease (${this.ms} ms) ran out before release, so another holder may have had the lock meanwhile (this one was paused, partitioned or too slow to renew). Check what was written under it; stores that check lock.fence refuse a stale holder; a longer lease makes it rarer`)
    }
  }

  /** Whether anyone holds the lock. */
  async locked(): Promise<boolean> {
    return (await this.cluster.redis.exists(this.keys.lock)) === 1
  }

  /** Releases what an abandoned try took after all. */
  readonly #giveBack = (): Promise<void> => this.release()

  /** One try: null when acquired, else how many ms to wait at most before trying again. */
  readonly #attempt = async (): Promise<number | null> => {
    const token = `${this.cluster.clientId}:${++acquires}`
    const { lock, fence, held } = this.keys
    const reply = await ACQUIRE.run(this.cluster.redis, [lock, fence, held], [token, this.ms])
    if (Array.isArray(reply)) {
      this.#token = token
      this.lost = false
      this.fence = Number(reply[0])
      this.recovered = reply[1] === 1
      this.#armRenewal()
      return null
    }
    const pttl = Number(reply)
    return pttl > 0 ? pttl + 1 : pttl === -1 ? this.ms : 1
  }

  /**
   * One timer per handle, re-armed (`refresh()`, cheaper than a new timer on
   * every acquire): it renews whatever token is held when it fires, and
   * stops re-arming itself once none is.
   */
  #armRenewal(): void {
    if (this.#timer !== undefined) return void this.#timer.refresh()
    this.#timer = setTimeout(() => void this.#renew(), Math.max(Math.floor(this.ms / 3), 10))
    this.#timer.unref() // a held lock never keeps a process alive; its lease runs out after exit
  }

  async #renew(): Promise<void> {
    const token = this.#token
    if (token === undefined || this.lost || this.cluster.isClosed) return
    this.#timer?.refresh()
    try {
      const renewed = await RENEW.run(this.cluster.redis, [this.keys.lock], [token, this.ms])
      if (renewed !== 1 && this.#token === token) this.lost = true
    } catch {
      // Redis unreachable for now: the next renewal tries again (the lease may run out meanwhile).
    }
  }
}
