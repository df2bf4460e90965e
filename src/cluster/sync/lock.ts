/**
 * The cluster Lock: the local Lock's interface, across machines, held
 * through a lease (lease.ts) with a fencing token.
 */
import type { BlockingOptions } from '../../sync/options.js'
import type { ClusterConnection } from '../redis/connection.js'
import { holdAsync, withHeldAsync, type ClusterHold } from './hold.js'
import { checkLease, Lease } from './lease.js'
import { ClusterObject } from '../object.js'

/** Options of a cluster lock. */
export interface ClusterLockOptions {
  /** Milliseconds a holder keeps the lock without renewing; renewed while held. Default 10,000. */
  lease?: number
}

/**
 * A mutual-exclusion lock shared by every process on every machine that
 * names it; made by `cluster.Lock(name, { lease })`.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const lock = cluster.Lock('orders', { lease: 5000 })
 * await lock.withLock(async () => { console.log('one holder on every machine; fence', lock.fence) })
 * await cluster.close()
 *
 * Semantics: the local Lock's, in async form only (no `*Sync` forms: every
 * step is a Redis round trip). Not re-entrant; waiters are not queued in
 * order. The lock is held through a lease of `lease` ms, renewed every third
 * of it while held (the timer never keeps the process alive). A holder that
 * stops renewing — killed, partitioned, or paused past its lease — loses the
 * lock when the lease runs out; the next acquirer sees `recovered === true`.
 * A paused holder can't know it lost the lock until it runs again, so work
 * done under a lock should carry `fence` (it grows with every acquire) to
 * the store it writes, which refuses a fence older than one it has seen.
 * Release goes through the handle that acquired it (the lease's token lives
 * there; tasks sharing the handle share it); releasing a lock this handle
 * does not hold throws `RangeError`, and one whose lease ran out throws
 * `LockLostError`.
 */
export class ClusterLock extends ClusterObject {
  readonly #lease: Lease

  constructor(cluster: ClusterConnection, name: string, options: ClusterLockOptions) {
    const lease = checkLease(options?.lease, `cluster.Lock('${name}', { lease })`)
    super(cluster, name, 'Lock', { lease })
    this.#lease = new Lease(cluster, { lock: this.key(), fence: this.key('fence'), held: this.key('held'), wake: this.key('wake') }, lease, 'Lock')
  }

  /** The fencing token of this handle's last acquire: larger than any earlier acquire's, by any holder. 0 before the first. */
  get fence(): number {
    return this.#lease.fence
  }

  /** True after an acquire that took the lock over from a holder whose lease ran out (it never released). */
  get recovered(): boolean {
    return this.#lease.recovered
  }

  /** The lease, in milliseconds. */
  get lease(): number {
    return this.#lease.ms
  }

  /**
   * Acquires the lock. Resolves `true` once held, `false` if `blocking: false`
   * or the timeout passed first; rejects with the signal's reason if it is
   * aborted. Waits block on Redis (no polling).
   */
  acquire(opts?: BlockingOptions): Promise<boolean> {
    return this.#lease.acquire(opts)
  }

  /** Releases the lock. Rejects with RangeError if this handle does not hold it, LockLostError if its lease ran out. */
  release(): Promise<void> {
    return this.#lease.release()
  }

  /** Whether anyone, anywhere, holds the lock. */
  locked(): Promise<boolean> {
    return this.#lease.locked()
  }

  /** Runs `fn` holding the lock; releases it however `fn` ends (TimeoutError if not acquired in time). */
  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return withHeldAsync(this, 'Lock', fn, opts)
  }

  /** Acquires and returns a hold for `await using`. */
  hold(opts?: BlockingOptions): Promise<ClusterHold> {
    return holdAsync(this, 'Lock', opts)
  }
}
