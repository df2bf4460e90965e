/**
 * Liveness of this cluster connection, for the queues' reliable gets.
 *
 * How it works: a getter moves each item it takes into an in-flight list
 * named after its *owner id* (the connection's `clientId` plus a
 * generation). The owner keeps `ns:client:<owner>` = 'alive' with a TTL
 * ({@link LIVENESS_TTL_MS}), refreshed every {@link TICK_MS} by an unref'd
 * timer (it never keeps a process alive) and by every take. A getter that
 * finds an in-flight list whose owner's key is gone puts the items back and
 * writes 'dead' into that key: an owner that was only paused (a partition,
 * a stopped process) learns it was declared dead at its next refresh or
 * take, gives up what it held (those items went back to the queue), and
 * carries on under the next generation — so an item is never handed to two
 * callers.
 */
import type { ClusterConnection } from './connection.js'
import { Script } from './script.js'

/** How long an owner stays alive without refreshing. */
export const LIVENESS_TTL_MS = 10_000
/** How often a live owner refreshes (and its blocked getters sweep). */
export const TICK_MS = 2_500

/** 'alive' + TTL unless declared dead; returns 0 when dead. */
const refresh = new Script(`
if redis.call('GET', KEYS[1]) == 'dead' then return 0 end
redis.call('SET', KEYS[1], 'alive', 'PX', ARGV[1])
return 1`)

/** @internal One per cluster connection: the owner id of its in-flight lists and the tick that keeps it alive. */
export class Liveness {
  #generation = 0
  /** When this owner's key was last known set to 'alive' (performance.now()); its TTL runs from about then. */
  refreshedAt = -Infinity
  #timer: NodeJS.Timeout | undefined
  readonly #tickers = new Set<() => void>()

  constructor(private readonly cluster: ClusterConnection) {}

  /** The current owner id. */
  get owner(): string {
    return `${this.cluster.clientId}:${this.#generation}`
  }

  /** The liveness key of `owner`. */
  keyOf(owner: string): string {
    return this.cluster.key('client', owner)
  }

  /** This owner was declared dead (its items went back): carry on as the next generation. */
  declaredDead(owner: string): void {
    if (owner !== this.owner) return
    this.#generation++
    this.refreshedAt = -Infinity
  }

  /** Whether the owner's key surely has most of its TTL left (a get may rely on lists registered earlier). */
  get fresh(): boolean {
    return performance.now() - this.refreshedAt < LIVENESS_TTL_MS / 3
  }

  /** Starts refreshing (idempotent); `tick` runs at every refresh until the returned function is called. */
  start(tick?: () => void): () => void {
    if (tick !== undefined) this.#tickers.add(tick)
    if (this.#timer === undefined && !this.cluster.isClosed) {
      this.#timer = setInterval(() => this.#tick(), TICK_MS)
      this.#timer.unref()
    }
    return () => { if (tick !== undefined) this.#tickers.delete(tick) }
  }

  #tick(): void {
    if (this.cluster.isClosed) {
      clearInterval(this.#timer)
      this.#timer = undefined
      return
    }
    const owner = this.owner
    const sent = performance.now()
    refresh.run(this.cluster.redis, [this.keyOf(owner)], [LIVENESS_TTL_MS]).then((alive) => {
      if (alive === 0) this.declaredDead(owner)
      else if (owner === this.owner) this.refreshedAt = Math.max(this.refreshedAt, sent)
    }, () => {})
    for (const tick of this.#tickers) tick()
  }
}

const all = new WeakMap<ClusterConnection, Liveness>()

/** The liveness of `cluster` (made on first use). */
export function livenessOf(cluster: ClusterConnection): Liveness {
  let l = all.get(cluster)
  if (l === undefined) {
    l = new Liveness(cluster)
    all.set(cluster, l)
  }
  return l
}
