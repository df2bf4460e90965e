/**
 * The cluster Queue: Python's `multiprocessing.Queue` across machines, a
 * Redis list. Scripts and keys: queue-scripts.ts; the reliable get:
 * reliable-get.ts.
 */
import { QueueFullError, QueueClosedError, abortReason } from '../../errors.js'
import { deadlineFrom, checkTimeout, expired, NOWAIT, signalFrom } from '../../sync/options.js'
import { deadlineOf } from '../../sync/wait.js'
import { untilEOF } from '../../queue/until-eof.js'
import type { QueueWaitOptions } from '../../queue/queue.js'
import type { ClusterConnection } from '../redis/connection.js'
import { ClusterObject } from '../object.js'
import { encodeValue } from '../redis/codec.js'
import { blockingCall } from '../redis/blocking-call.js'
import { ReliableGet } from './reliable-get.js'
import { keepAliveWhile } from '../redis/keep-alive.js'
import { PUT, LEAVE, CLOSE, QSIZE, TASK_DONE } from './queue-scripts.js'

/** A putter blocked on a full queue looks again at least this often: only Redis losing its lists (a restart without persistence) can lose a wake. */
const PUT_SAFETY_MS = 5_000
/** A `join` looks again at least this often, in case the "all done" message was published while its subscription was reconnecting. */
const JOIN_SAFETY_MS = 5_000

/**
 * A FIFO queue shared by every process on every machine that names it: the
 * local `Queue` interface, all of it async (there are no `*Sync` forms: each
 * call is a round trip to Redis).
 *
 * @example
 * import { connect } from 'skein/cluster'
 * await using cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const q = cluster.Queue<{ id: number }>('jobs', 100)
 * await q.put({ id: 1 })
 * console.log(await q.get({ timeout: 1000 })) // { id: 1 }
 *
 * Semantics. Items are structured clones (Map, Set, Date, BigInt, typed
 * arrays, Buffers, nested objects); cluster objects inside them arrive as
 * the same objects. `maxsize` (0: unbounded) is checked atomically with the
 * push; every handle on one name should pass the same `maxsize` (each put
 * enforces its own handle's). A blocked `get` is a `BLMOVE` on a connection
 * of its own (no polling); a blocked `put` announces itself and waits for
 * the wake of the get that makes room.
 *
 * Guarantees. A `put` that returned is in Redis; it survives a Redis
 * restart when Redis persists every write (`appendonly yes` with
 * `appendfsync always`; with the default `everysec`, a hard crash of Redis
 * can lose up to a second of writes). An item is handed to exactly one
 * `get`: it moves atomically into an in-flight list of the getter and leaves
 * it in the same step that hands it over, so a getter killed or cut off
 * before that step loses nothing (its in-flight items go back to the head
 * of the queue once its liveness key expires, about 10 s), and one that
 * already received an item is never given it again. A put whose reply was
 * lost to a broken connection is sent again by the client after
 * reconnecting, and can then be in the queue twice.
 *
 * `close()` closes the queue for everyone, as locally: puts throw
 * `QueueClosedError`, getters take what is left, then get `EOFError` and
 * `for await` ends.
 */
export class ClusterQueue<T = unknown> extends ClusterObject implements AsyncIterable<T> {
  declare readonly __item?: T
  readonly #getter: ReliableGet

  /** @internal Use `cluster.Queue(name, maxsize)`. */
  constructor(cluster: ClusterConnection, name: string, readonly maxsize: number, type: 'Queue' | 'JoinableQueue' = 'Queue') {
    super(cluster, name, type, { maxsize })
    if (!Number.isInteger(maxsize) || maxsize < 0) {
      throw new RangeError(`cluster.${type}(name, maxsize): maxsize must be a non-negative integer (got ${String(maxsize)}); use 0 for an unbounded queue`)
    }
    this.#getter = new ReliableGet(cluster, this.key(), maxsize, type)
  }

  /** How many items it holds now (a snapshot: others may change it at once). */
  async qsize(): Promise<number> {
    return Number(await QSIZE.run(this.cluster.redis, [this.key()], []))
  }

  /** Whether it holds no item now (a snapshot). */
  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0
  }

  /** Whether it holds `maxsize` items now (a snapshot; never true when unbounded). */
  async full(): Promise<boolean> {
    return this.maxsize > 0 && (await this.qsize()) >= this.maxsize
  }

  /** Whether `close()` was called (by anyone). */
  async closed(): Promise<boolean> {
    return (await this.cluster.redis.exists(this.key('closed'))) === 1
  }

  /**
   * Puts an item at the tail, waiting for room while the queue is full
   * (unless `block: false`). Rejects with `QueueFullError` when it does not
   * fit in time, `QueueClosedError` once closed, `TypeError` if it can't be
   * cloned.
   */
  async put(item: T, opts?: QueueWaitOptions): Promise<void> {
    const where = `${this.constructor.name}.put()`
    const deadline = deadlineFrom(blockingOf(opts), where)
    const bytes = await encodeValue(item, where)
    const notfull = this.key('notfull')
    const putters = `${notfull}:putters`
    const keys = [this.key(), this.key('closed'), this.key('unfinished'), notfull, putters]
    const signal = opts?.signal
    for (;;) {
      // Announced in the same step that finds the queue full: a getter that makes room after it pushes a token.
      const announce = deadline !== NOWAIT && !expired(deadline) && signal?.aborted !== true
      const outcome = Number(await PUT.run(this.cluster.redis, keys, [this.maxsize, bytes, announce ? '1' : '0']))
      if (outcome === 1) return
      if (outcome === -1) throw new QueueClosedError(item)
      if (!announce) {
        if (signal?.aborted) throw abortReason(signal)
        throw deadline === NOWAIT ? new QueueFullError(item) : new QueueFullError(item, `${where}: the queue stayed full until the timeout; wait longer, or read from it faster`)
      }
      let woken = false
      try {
        const wakeBy = performance.now() + PUT_SAFETY_MS
        const reply = await blockingCall(this.cluster, ['BLPOP', notfull], deadline === null || deadline > wakeBy ? wakeBy : deadline, signal)
        woken = Array.isArray(reply)
      } finally {
        // Leave the count; a token possibly taken and not used (gave up, abandoned) goes on to the next putter.
        await LEAVE.run(this.cluster.redis, [this.key(), notfull, putters], [this.maxsize, woken ? '1' : '0'])
      }
    }
  }

  /** `put(item, { block: false })`: rejects with `QueueFullError` at once if full. */
  putNowait(item: T): Promise<void> {
    return this.put(item, { block: false })
  }

  /**
   * Takes the item at the head, waiting while the queue is empty (unless
   * `block: false`). Rejects with `QueueEmptyError` when none comes in
   * time, and with `EOFError` once the queue is closed and drained.
   */
  async get(opts?: QueueWaitOptions): Promise<T> {
    const deadline = deadlineFrom(blockingOf(opts), `${this.constructor.name}.get()`)
    return (await this.#getter.get(deadline, opts?.signal)) as T
  }

  /** `get({ block: false })`: rejects with `QueueEmptyError` at once if empty. */
  getNowait(): Promise<T> {
    return this.get({ block: false })
  }

  /**
   * Closes the queue for everyone: further puts reject with
   * `QueueClosedError`; readers take what is left, then `get` rejects with
   * `EOFError` and `for await` ends. Idempotent; a closed name stays closed, across runs,
   * until `destroy()` deletes the queue (or `skein purge` its namespace).
   */
  async close(): Promise<void> {
    await CLOSE.run(this.cluster.redis, [this.key('closed'), this.key(), this.key('notfull')], [])
  }

  /**
   * Marks one item taken by `get` as processed (Python's `task_done`), on
   * any machine. Rejects with `RangeError` if called more times than items
   * were put.
   */
  async taskDone(): Promise<void> {
    const left = Number(await TASK_DONE.run(this.cluster.redis, [this.key('unfinished'), this.key('joined')], []))
    if (left < 0) throw new RangeError(`${this.constructor.name}.taskDone(): called more times than there were items put; call it once per item you got`)
  }

  /**
   * Resolves `true` once every item put (by anyone) has been marked done
   * with `taskDone`; `false` at the timeout. Waits on a pub/sub message
   * published when the count reaches 0, not by polling.
   */
  async join(timeout?: number, opts?: { signal?: AbortSignal }): Promise<boolean> {
    const deadline = deadlineOf(checkTimeout(timeout, `${this.constructor.name}.join()`))
    const signal = signalFrom(opts, `${this.constructor.name}.join(timeout, options)`)
    const unfinished = async () => Number((await this.cluster.redis.get(this.key('unfinished'))) ?? 0)
    if ((await unfinished()) <= 0) return true
    if (signal?.aborted) throw abortReason(signal)
    let wake: () => void = () => {}
    // The resync (after a pub/sub reconnect, whose outage loses messages) re-checks too.
    const stop = await this.cluster.subscriber.subscribe(this.key('joined'), () => wake(), () => wake())
    try {
      return await keepAliveWhile((async () => {
        for (;;) {
          const woken = new Promise<void>((resolve) => { wake = resolve })
          if ((await unfinished()) <= 0) return true
          if (expired(deadline)) return false
          const left = deadline === null ? JOIN_SAFETY_MS : Math.min(JOIN_SAFETY_MS, deadline - performance.now())
          let timer: NodeJS.Timeout | undefined
          let onAbort: (() => void) | undefined
          try {
            await Promise.race([woken, new Promise<void>((resolve, reject) => {
              timer = setTimeout(resolve, left)
              onAbort = () => reject(abortReason(signal as AbortSignal))
              signal?.addEventListener('abort', onAbort, { once: true })
            })])
          } finally {
            clearTimeout(timer)
            if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort)
          }
        }
      })())
    } finally {
      await stop()
    }
  }

  /** @internal Its keys, with the in-flight lists its registry names. */
  protected override async ownKeys(): Promise<string[]> {
    this.#getter.forget()
    return [...await super.ownKeys(), ...await this.cluster.redis.hkeys(this.key('inflight'))]
  }

  /** Yields items as they come; ends once the queue is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return untilEOF(() => this.get())
  }
}

/** Python spells it `block`; the shared deadline helper says `blocking`. */
function blockingOf(opts: QueueWaitOptions | undefined): { blocking?: boolean; timeout?: number } | undefined {
  if (opts === undefined) return undefined
  return { blocking: opts.block, timeout: opts.timeout }
}
