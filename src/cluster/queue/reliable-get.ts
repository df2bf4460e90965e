/**
 * The cluster Queue's get: the reliable-queue pattern (Redis' RPOPLPUSH
 * "reliable queue"), so no item is lost between Redis giving it out and the
 * caller receiving it, and none is handed to two callers.
 *
 * How it works. Each get has its own in-flight list, registered in the
 * queue's `:inflight` hash under its owner id (liveness.ts):
 * 1. TAKE moves the head item into that list (LMOVE, in a script that also
 *    refreshes the owner's liveness, and when the queue is empty first puts
 *    back the in-flight items of dead owners). When empty and allowed to
 *    wait, the get blocks on BLMOVE from the queue into the same list, on a
 *    dedicated connection, with what is left of its deadline as the
 *    Redis-side timeout — no polling.
 * 2. FINISH removes the item from the list, atomically with handing it over
 *    (the script's reply is what the caller gets), wakes a blocked putter,
 *    and registers the handle's next in-flight list, so its next blocking
 *    get goes straight to BLMOVE (two round trips an item, not three). If the owner was declared dead meanwhile, the item already
 *    went back to the queue, so FINISH says 'lost' and the get starts over.
 * 3. A get that stops waiting — timed out, aborted by its signal, or cut off
 *    by a broken connection — runs RELEASE, which puts whatever landed in
 *    its list back at the head. An abandoned BLMOVE may still land after
 *    that (its bytes were on the way), so the list stays registered as
 *    abandoned and the next sweep past the grace period empties it.
 * While gets are blocked here, every liveness tick also sweeps the queue, so
 * blocked getters recover a dead getter's items without anyone polling.
 */
import { EOFError, QueueEmptyError } from '../../errors.js'
import { NOWAIT, expired } from '../../sync/options.js'
import type { ClusterConnection } from '../redis/connection.js'
import { decodeValue } from '../redis/codec.js'
import { blockingCall, ABANDONED } from '../redis/blocking-call.js'
import { livenessOf, LIVENESS_TTL_MS, type Liveness } from '../redis/liveness.js'
import { TAKE, FINISH, RELEASE, SWEEP } from './queue-scripts.js'

/** How long an abandoned in-flight list is left before the sweep empties it (a BLMOVE in flight lands within it). */
const ABANDONED_GRACE_MS = 30_000

let gets = 0

/** @internal The get side of one queue handle. */
export class ReliableGet {
  readonly #liveness: Liveness
  readonly #registry: string
  readonly #clientPrefix: string
  #blocked = 0
  #stopTick: (() => void) | undefined
  /** An in-flight list the last FINISH registered, and its owner: the next blocking get BLMOVEs into it without a TAKE first. */
  #next: { list: string; owner: string } | undefined

  constructor(private readonly cluster: ClusterConnection, private readonly main: string, private readonly maxsize: number, private readonly type: string) {
    this.#liveness = livenessOf(cluster)
    this.#registry = `${main}:inflight`
    this.#clientPrefix = this.#liveness.keyOf('')
  }

  /** Forgets the in-flight list kept for the next get (the queue is being destroyed with it). */
  forget(): void {
    this.#next = undefined
  }

  /** The next item, decoded; `deadline` as sync/options.ts makes it (NOWAIT: don't wait). */
  async get(deadline: number | null, signal: AbortSignal | undefined): Promise<unknown> {
    this.#liveness.start()
    const redis = this.cluster.redis
    for (;;) {
      const owner = this.#liveness.owner
      const next = this.#next
      this.#next = undefined
      // Registered already (and the owner surely alive, so no sweep took the list): straight to BLMOVE, which answers at once when the queue holds an item.
      if (next !== undefined && next.owner === owner && deadline !== NOWAIT && this.#liveness.fresh) {
        const got = await this.#waitAndFinish(next.list, owner, deadline, signal)
        if (got !== RETRY) return got
        continue
      }
      const list = `${this.main}:inflight:${owner}:${++gets}`
      if (next !== undefined && deadline === NOWAIT && next.owner === owner) this.#next = next // for a later blocking get
      else if (next !== undefined) void this.#release(next.list, false).catch(() => {})
      const keep = deadline === NOWAIT ? '0' : '1'
      const sent = performance.now()
      const [kind, bytes] = (await TAKE.runBuffer(redis, [this.main, this.#registry, list, this.#liveness.keyOf(owner)],
        [owner, keep, LIVENESS_TTL_MS, this.#clientPrefix, ABANDONED_GRACE_MS])) as [Buffer, Buffer | undefined]
      if (kind.toString() !== 'dead' && owner === this.#liveness.owner) this.#liveness.refreshedAt = Math.max(this.#liveness.refreshedAt, sent)
      switch (kind.toString()) {
        case 'item': {
          const got = await this.#finish(list, owner, bytes as Buffer)
          if (got !== RETRY) return got
          continue
        }
        case 'eof': throw drained(this.type)
        case 'dead':
          this.#liveness.declaredDead(owner)
          continue
      }
      if (deadline === NOWAIT) throw new QueueEmptyError()
      const got = await this.#waitAndFinish(list, owner, deadline, signal)
      if (got !== RETRY) return got
    }
  }

  /** BLMOVE into `list` (registered), then hand over; RETRY when the connection broke or the item was lost. */
  async #waitAndFinish(list: string, owner: string, deadline: number | null, signal: AbortSignal | undefined): Promise<unknown> {
    const reply = expired(deadline) ? null : await this.#blockingMove(list, deadline, signal)
    if (reply === null) {
      await this.#release(list, false)
      throw timedOutEmpty(this.type)
    }
    if (reply === ABANDONED) {
      // The connection broke or Redis stalled: past the deadline, end now — the RELEASE goes on its way
      // behind us (if this process dies first, the sweep puts the list back).
      const released = this.#release(list, true)
      if (!expired(deadline)) return released.then(() => RETRY)
      released.catch(() => {})
      throw timedOutEmpty(this.type)
    }
    return this.#finish(list, owner, reply as Buffer)
  }

  async #blockingMove(list: string, deadline: number | null, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.#blocked++ === 0) this.#stopTick = this.#liveness.start(() => { void this.#sweep() })
    try {
      return await blockingCall(this.cluster, ['BLMOVE', this.main, list, 'LEFT', 'RIGHT'], deadline, signal)
    } catch (error) {
      // Aborted (or this cluster connection closed): what the BLMOVE may have moved goes back.
      await this.#release(list, true)
      throw error
    } finally {
      if (--this.#blocked === 0) this.#stopTick?.()
    }
  }

  async #finish(list: string, owner: string, bytes: Buffer): Promise<unknown> {
    const next = this.#next === undefined ? `${this.main}:inflight:${owner}:${++gets}` : undefined
    const outcome = String(await FINISH.run(this.cluster.redis, [this.main, this.#registry, list, this.#liveness.keyOf(owner), `${this.main}:notfull`, next ?? list],
      [bytes, this.maxsize, owner]))
    if (next !== undefined && outcome === 'ok') {
      if (this.#next === undefined) this.#next = { list: next, owner }
      // Another get of this handle kept one meanwhile: forget this one (it is empty), or the registry would grow.
      else void this.#release(next, false).catch(() => {})
    }
    switch (outcome) {
      case 'ok': return decodeValue(bytes, this.cluster.url, `cluster.${this.type}.get()`)
      case 'eof': throw drained(this.type)
      case 'lost':
        this.#liveness.declaredDead(owner)
        return RETRY
      default: return RETRY
    }
  }

  async #release(list: string, abandoned: boolean): Promise<void> {
    if (this.cluster.isClosed) return // its liveness key expires; others sweep the list
    await RELEASE.run(this.cluster.redis, [this.main, this.#registry, list], [abandoned ? '1' : '0'])
  }

  async #sweep(): Promise<void> {
    await SWEEP.run(this.cluster.redis, [this.main, this.#registry], [this.#clientPrefix, ABANDONED_GRACE_MS]).catch(() => {})
  }
}

const RETRY = Symbol('retry')

function drained(type: string): EOFError {
  return new EOFError(`cluster.${type}.get(): the queue is closed and nothing is left in it`)
}

function timedOutEmpty(type: string): QueueEmptyError {
  return new QueueEmptyError(`cluster.${type}.get(): nothing arrived before the timeout; wait longer, or check that a producer is running`)
}
