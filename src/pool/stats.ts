/**
 * A pool's state at one moment, read from one place (`PoolCore.stats()`):
 * what `skein top` and the like show of a pool. The counters are kept where
 * tasks settle (results.ts, core.ts on a worker's death); the rest is read
 * from the slots and the backlog when asked.
 */

/** Running totals since the pool was made. */
export class PoolCounters {
  /** Tasks that returned a value. */
  done = 0
  /** Tasks that threw, or whose worker died under them (not those removed by abort or terminate). */
  failed = 0
  /** Workers that died without being asked to stop. */
  crashed = 0
  /** Runs started again after a worker died under them (maxAttempts). */
  retried = 0
}

/**
 * A snapshot of one pool.
 *
 * @example
 * // const s = core.stats()
 * // console.log(`${s.busy}/${s.alive} busy, ${s.backlog} waiting, ${s.done} done, ${s.failed} failed`)
 */
export interface PoolStats {
  /** 'running', 'closed' (finishing what it holds), 'terminated', or 'broken' (the initializer failed, or a worker could not start). */
  state: 'running' | 'closed' | 'terminated' | 'broken'
  /** Workers the pool keeps (its size). */
  size: number
  /** Workers running now. */
  alive: number
  /** Workers holding tasks (sent to them, not yet reported). */
  busy: number
  /** Tasks waiting in the parent for a worker (including those whose function is still being located). */
  backlog: number
  /** Tasks sent to workers and not yet reported. */
  inFlight: number
  done: number
  failed: number
  crashed: number
  retried: number
}
