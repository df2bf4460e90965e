/**
 * The cluster RLock: a re-entrant cluster lock. The depth is counted in this
 * handle; Redis holds one lease for it (lease.ts).
 */
import type { BlockingOptions } from '../../sync/options.js'
import type { ClusterConnection } from '../redis/connection.js'
import { holdAsync, withHeldAsync, type ClusterHold } from './hold.js'
import { checkLease, Lease } from './lease.js'
import type { ClusterLockOptions } from './lock.js'
import { ClusterObject } from '../object.js'

/**
 * A re-entrant cluster lock: its holder may acquire it again, and must
 * release it as many times.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const r = cluster.RLock('config')
 * await r.acquire(); await r.acquire()   // the same holder: no wait
 * await r.release(); await r.release()
 * await cluster.close()
 *
 * Semantics: the holder is this RLock handle, in the process or thread that
 * made it (a handle received by another process is another holder, as each
 * `cluster.RLock(name)` call is); tasks sharing the handle share the
 * ownership, as tasks of one thread do with a local RLock. The depth is
 * counted locally; Redis holds one lease, renewed while held, with the
 * Lock's `fence`, `recovered` and `LockLostError`. `release()` by a handle
 * that does not hold it rejects with RangeError. Async forms only.
 */
export class ClusterRLock extends ClusterObject {
  readonly #lease: Lease
  #depth = 0

  constructor(cluster: ClusterConnection, name: string, options: ClusterLockOptions) {
    const lease = checkLease(options?.lease, `cluster.RLock('${name}', { lease })`)
    super(cluster, name, 'RLock', { lease })
    this.#lease = new Lease(cluster, { lock: this.key(), fence: this.key('fence'), held: this.key('held'), wake: this.key('wake') }, lease, 'RLock')
  }

  /** The fencing token of the acquire that took the lease (not bumped by re-entry). */
  get fence(): number {
    return this.#lease.fence
  }

  /** True after an acquire that took the lock over from a holder whose lease ran out. */
  get recovered(): boolean {
    return this.#lease.recovered
  }

  /** How many times this handle holds it (0: not held). */
  get depth(): number {
    return this.#depth
  }

  /** Acquires (at once if this handle already holds it); `false` if `blocking: false` or the timeout passed. */
  async acquire(opts?: BlockingOptions): Promise<boolean> {
    if (this.#depth > 0) {
      this.#depth++
      return true
    }
    if (!(await this.#lease.acquire(opts))) return false
    this.#depth = 1
    return true
  }

  /** Releases once; the lease goes when the depth reaches 0. */
  async release(): Promise<void> {
    if (this.#depth === 0) {
      throw new RangeError('RLock.release(): this handle does not hold the lock; release only after a successful acquire, through the handle that acquired it')
    }
    if (--this.#depth > 0) return
    await this.#lease.release()
  }

  /** Whether anyone, anywhere, holds the lock. */
  locked(): Promise<boolean> {
    return this.#lease.locked()
  }

  /** Runs `fn` holding the lock; releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return withHeldAsync(this, 'RLock', fn, opts)
  }

  /** Acquires and returns a hold for `await using`. */
  hold(opts?: BlockingOptions): Promise<ClusterHold> {
    return holdAsync(this, 'RLock', opts)
  }
}
