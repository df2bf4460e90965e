/**
 * Queue: Python's `multiprocessing.Queue` and `queue.Queue` in one object,
 * for tasks, threads and processes.
 */
import { QueueFullError, QueueEmptyError, QueueClosedError, EOFError } from '../errors.js'
import { kDescribe, registerKind, holdsShareable, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { nameFrom, revivedName, type NameOptions } from '../observe/names.js'
import { publishObject } from '../observe/records.js'
import { describeQueuePeers } from '../observe/holder.js'
import { KIND } from '../observe/layout.js'
import { deadlineFrom, NOWAIT, checkTimeout } from '../sync/options.js'
import { deadlineOf, type UntilOptions } from '../sync/wait.js'
import { Ring, PUT_OK, PUT_FULL } from './ring.js'
import { encodeItem, encodeItemSync, decodeItem, decodeItemSync, T_HANDLES, type Encoded, type Taken } from './codec.js'
import * as L from './layout.js'
import { untilEOF } from './until-eof.js'

/**
 * Options of `put`/`get` and their `*Sync` forms.
 *
 * @example
 * import { Queue } from 'skein'
 * const q = new Queue<string>(1)
 * await q.put('a', { timeout: 100 })
 * console.log(await q.get({ timeout: 100, signal: AbortSignal.timeout(1000) })) // 'a'
 */
export interface QueueWaitOptions {
  /** `false`: don't wait (full → QueueFullError, empty → QueueEmptyError); default `true`. */
  block?: boolean
  /** Milliseconds to wait at most; default: forever. */
  timeout?: number
  /** Aborting it rejects the wait with the signal's reason (async forms only). */
  signal?: AbortSignal
}

/**
 * Construction options beyond Python's `maxsize`.
 *
 * @example
 * import { Queue } from 'skein'
 * const small = new Queue<Buffer>(0, { capacity: 16 * 1024 * 1024 }) // 16 MiB of unread bytes at most
 */
export interface QueueOptions extends NameOptions {
  /**
   * Bytes reserved for unread items (default 1 GiB). Only the pages unread
   * items occupy are used; this bounds the largest item and, for an
   * unbounded queue, how much can wait unread.
   */
  capacity?: number
}

/** How often a waiter on a shared queue looks again by itself (a peer killed between its commit and its wake-up). */
const POLL_MS = 200
const RESOLVED: Promise<void> = Promise.resolve()

let attaching: Ring | undefined
let attachingName: string | undefined
const classes = new Map<string, new () => object>()

/** @internal Makes a queue class revivable by name. */
export function registerQueueClass(name: string, cls: new () => object): void {
  classes.set(name, cls)
}

/**
 * A FIFO queue between tasks, threads and processes (Python's
 * `multiprocessing.Queue`, and `queue.Queue` with `taskDone`/`join`).
 *
 * @example
 * import { Queue, QueueFullError } from 'skein'
 * const q = new Queue<string>(3)
 * await q.put('a'); q.putNowait('b'); q.putNowait('c')
 * console.log(q.full(), q.qsize())          // true 3
 * try { q.putNowait('d') } catch (e) { console.log(e instanceof QueueFullError) } // true
 * console.log(await q.get(), q.getNowait()) // a b
 *
 * Semantics: `maxsize` 0 (the default) means unbounded: `put` never waits.
 * Items are structured clones (Map, Set, Date, BigInt, typed arrays, Buffers,
 * nested objects) and shared objects inside them (a Lock, another Queue)
 * arrive as the same objects. Pass the queue to a `Process` or `Thread`, or
 * through another queue, to share it. `close()` closes it for everyone:
 * further puts throw `QueueClosedError`, readers drain what is left, then
 * `get` throws `EOFError` and `for await` ends. A process killed in the
 * middle of a `put` or `get` neither loses nor duplicates an item that was
 * put, and does not wedge the others (its lock is taken over).
 */
export class Queue<T = unknown> implements Shareable, AsyncIterable<T> {
  /** @internal The order of this class's items (FIFO, LIFO, PRIORITY). */
  static readonly order: number = L.FIFO
  readonly #ring: Ring
  readonly #name: string
  readonly #waitOpts: UntilOptions
  /** What `skein top` and errors call this queue. */
  readonly name: string

  /**
   * @param maxsize the most items it holds at once; 0 (default): unbounded.
   * @param opts `capacity`: bytes reserved for unread items (default 1 GiB).
   */
  constructor(maxsize = 0, opts: QueueOptions = {}) {
    this.#name = new.target.name
    if (attaching !== undefined) {
      this.#ring = attaching
      this.name = attachingName ?? `${this.#name}@?`
      attaching = undefined
      attachingName = undefined
    } else {
      this.name = nameFrom(opts, this.#name, `new ${this.#name}()`)
      if (!Number.isInteger(maxsize) || maxsize < 0 || maxsize > 0x7fffffff) {
        throw new RangeError(`${this.#name}(maxsize): maxsize must be a non-negative integer (got ${String(maxsize)}); use 0 for an unbounded queue`)
      }
      const capacity = opts.capacity ?? L.DEFAULT_CAPACITY
      if (!Number.isInteger(capacity) || capacity < 1 || capacity > L.DEFAULT_CAPACITY) {
        throw new RangeError(`${this.#name}: capacity must be a whole number of bytes between 1 and 1 GiB (got ${String(capacity)})`)
      }
      this.#ring = Ring.create((new.target as typeof Queue).order, maxsize, capacity)
    }
    const ring = this.#ring
    // In the registry: the queue (its depth is read from the ring) and what its sleepers wait for.
    ring.observe(KIND.Queue, this.name)
    publishObject(this, KIND.Queue, this.name, ring.segment, 0)
    this.#waitOpts = {
      slice: (deadline) => {
        if (!ring.notEmpty.shared) return deadline
        const poll = performance.now() + POLL_MS
        return deadline === null || deadline > poll ? poll : deadline
      },
      recover: () => false,
    }
  }

  /** The most items it holds at once (0: unbounded). */
  get maxsize(): number {
    return this.#ring.maxsize
  }

  /** How many items it holds now (a snapshot: others may change it at once). */
  qsize(): number {
    return this.#ring.state(L.COUNT)
  }

  /** Whether it holds no item now (a snapshot). */
  empty(): boolean {
    return this.qsize() === 0
  }

  /** Whether it holds `maxsize` items now (a snapshot; never true when unbounded). */
  full(): boolean {
    return this.#ring.maxsize > 0 && this.qsize() >= this.#ring.maxsize
  }

  /** Whether `close()` was called (by anyone). */
  get closed(): boolean {
    return this.#ring.closed
  }

  /**
   * Puts an item, waiting for room if the queue is full (unless
   * `block: false`). Rejects with `QueueFullError` when it does not fit in
   * time, `QueueClosedError` once closed, `TypeError` if it can't be cloned.
   */
  put(item: T, opts?: QueueWaitOptions): Promise<void> {
    let deadline: number | null
    let enc: Encoded | undefined
    let priority: number
    let value: unknown
    try {
      ;[priority, value] = this.toFrame(item)
      deadline = deadlineFrom(blockingOf(opts), `${this.#name}.put()`)
      if (!holdsShareable(value)) {
        enc = encodeItemSync(value, `${this.#name}.put()`)
        if (this.#tryPut(enc, priority, item)) return RESOLVED
        if (deadline === NOWAIT) throw new QueueFullError(item)
      }
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#putSlow(item, enc, priority, value, deadline, opts?.signal)
  }

  /** `put(item, { block: false })`, synchronously: throws `QueueFullError` at once if full. */
  putNowait(item: T): void {
    this.putSync(item, { block: false })
  }

  /** Puts an item, blocking this thread while the queue is full. */
  putSync(item: T, opts?: QueueWaitOptions): void {
    const [priority, value] = this.toFrame(item)
    const deadline = deadlineFrom(blockingOf(opts), `${this.#name}.putSync()`)
    const enc = encodeItemSync(value, `${this.#name}.putSync()`)
    if (this.#tryPut(enc, priority, item)) return
    if (deadline === NOWAIT || !this.#ring.notFull.untilSync(() => this.#tryPut(enc, priority, item), deadline, this.#waitOpts)) {
      throw new QueueFullError(item, this.#timedOutFull())
    }
  }

  /**
   * Takes the next item, waiting while the queue is empty (unless `block:
   * false`). Rejects with `QueueEmptyError` when none comes in time, and
   * with `EOFError` once the queue is closed and drained.
   */
  get(opts?: QueueWaitOptions): Promise<T> {
    let deadline: number | null
    try {
      deadline = deadlineFrom(blockingOf(opts), `${this.#name}.get()`)
      const taken = this.#tryTake()
      if (taken !== undefined) return taken.tag === T_HANDLES ? this.#finish(taken) : Promise.resolve(this.#finishSync(taken))
      if (this.#ring.closed) throw drained(this.#name)
      if (deadline === NOWAIT) throw new QueueEmptyError()
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#getSlow(deadline, opts?.signal)
  }

  /** `get({ block: false })`, synchronously: throws `QueueEmptyError` at once if empty. */
  getNowait(): T {
    return this.getSync({ block: false })
  }

  /** Takes the next item, blocking this thread while the queue is empty. */
  getSync(opts?: QueueWaitOptions): T {
    const deadline = deadlineFrom(blockingOf(opts), `${this.#name}.getSync()`)
    let taken = this.#tryTake()
    if (taken === undefined) {
      if (this.#ring.closed) throw drained(this.#name)
      if (deadline === NOWAIT) throw new QueueEmptyError()
      if (this.#ring.spinWhileEmpty()) taken = this.#tryTake()
    }
    if (taken === undefined) {
      const arrived = this.#ring.notEmpty.untilSync(() => (taken = this.#tryTake()) !== undefined || this.#ring.closed, deadline, this.#waitOpts)
      if (!arrived) throw new QueueEmptyError(this.#timedOutEmpty())
      if (taken === undefined) throw drained(this.#name)
    }
    return this.#finishSync(taken)
  }

  /**
   * Closes the queue for everyone: further puts throw `QueueClosedError`;
   * readers take what is left, then `get` throws `EOFError` and `for await`
   * ends. Idempotent.
   */
  close(): void {
    this.#ring.close()
  }

  /**
   * Marks one item taken by `get` as processed (Python's `task_done`).
   * Throws `RangeError` if called more times than items were put.
   */
  taskDone(): void {
    const ring = this.#ring
    let left = 0
    const ok = ring.locked(() => {
      const done = ring.taskDone()
      left = ring.state(L.UNFINISHED)
      return done
    })
    if (!ok) throw new RangeError(`${this.#name}.taskDone(): called more times than there were items put; call it once per item you got`)
    if (left === 0) ring.joined.notify()
  }

  /** Resolves `true` once every item put has been marked done (`taskDone`); `false` at the timeout. */
  join(timeout?: number, opts?: { signal?: AbortSignal }): Promise<boolean> {
    let deadline: number | null
    try {
      deadline = deadlineOf(checkTimeout(timeout, `${this.#name}.join()`))
    } catch (error) {
      return Promise.reject(error)
    }
    if (this.#unfinished() === 0) return Promise.resolve(true)
    return this.#ring.joined.until(() => this.#unfinished() === 0, deadline, opts?.signal, this.#waitOpts)
  }

  /** Like `join`, blocking this thread. */
  joinSync(timeout?: number): boolean {
    const deadline = deadlineOf(checkTimeout(timeout, `${this.#name}.joinSync()`))
    if (this.#unfinished() === 0) return true
    return this.#ring.joined.untilSync(() => this.#unfinished() === 0, deadline, this.#waitOpts)
  }

  /** Yields items as they come; ends once the queue is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return untilEOF(() => this.get())
  }

  [kDescribe](): HandleDescriptor {
    this.#ring.markShared()
    // The embedded lock must hear wakes from elsewhere too.
    this.#ring.lock[kDescribe]()
    return { kind: 'skein.Queue', cls: this.#name, name: this.name, segment: this.#ring.segment.describe(), offset: 0 }
  }

  /** @internal The priority and payload of an item (PriorityQueue splits its pairs). */
  protected toFrame(item: T): [number, unknown] {
    return [0, item]
  }

  /** @internal The item rebuilt from a frame's priority and payload. */
  protected fromFrame(_priority: number, value: unknown): T {
    return value as T
  }

  // ----- internals

  #timedOutFull(): string {
    return timedOutFull(`${this.#name} "${this.name}"`, this.qsize(), peersOf(this.#ring))
  }

  #timedOutEmpty(): string {
    return timedOutEmpty(`${this.#name} "${this.name}"`, peersOf(this.#ring))
  }

  #unfinished(): number {
    return this.#ring.state(L.UNFINISHED)
  }

  /** One attempt to put; true when put, false when full or out of room (bounded queues wait then). */
  #tryPut(enc: Encoded, priority: number, item: T): boolean {
    const ring = this.#ring
    if (ring.closed) throw new QueueClosedError(item)
    if (!ring.fits(enc.length)) {
      throw new RangeError(`${this.#name}.put(): the item takes ${enc.length} bytes, more than the queue's capacity of ${ring.capacity} bytes; create it with a larger { capacity } (up to 1 GiB), or share big data through SharedMemory`)
    }
    let closed = false
    const outcome = ring.locked(() => {
      if (ring.closed) {
        closed = true
        return PUT_FULL
      }
      return ring.tryPut(enc, priority)
    })
    if (closed) throw new QueueClosedError(item)
    if (outcome === PUT_OK) {
      if (ring.notEmpty.waiting) ring.notEmpty.notify(1, 1)
      return true
    }
    if (outcome !== PUT_FULL && ring.maxsize === 0) {
      throw new QueueFullError(item, `${this.#name}.put(): the unread items fill the queue's capacity of ${ring.capacity} bytes, so an unbounded queue can't take more; read faster, or create it with a larger { capacity } (up to 1 GiB)`)
    }
    return false
  }

  #tryTake(): Taken | undefined {
    const ring = this.#ring
    const taken = ring.locked(() => ring.tryTake())
    if (taken !== undefined && ring.notFull.waiting) ring.notFull.notify(1, 1)
    return taken
  }

  async #putSlow(item: T, enc: Encoded | undefined, priority: number, value: unknown, deadline: number | null, signal: AbortSignal | undefined): Promise<void> {
    if (enc === undefined) {
      const encoded = await encodeItem(value, `${this.#name}.put()`)
      enc = encoded
      if (this.#tryPut(encoded, priority, item)) return
      if (deadline === NOWAIT) throw new QueueFullError(item)
    }
    const ready = enc
    const put = await this.#ring.notFull.until(() => this.#tryPut(ready, priority, item), deadline, signal, this.#waitOpts)
    if (!put) throw new QueueFullError(item, this.#timedOutFull())
  }

  async #getSlow(deadline: number | null, signal: AbortSignal | undefined): Promise<T> {
    let taken: Taken | undefined
    // Another thread or process may put within microseconds: a short spin beats an async wake-up through the addon's waiter thread.
    if (this.#ring.notEmpty.shared && this.#ring.spinWhileEmpty() && (taken = this.#tryTake()) !== undefined) return this.#finish(taken)
    const arrived = await this.#ring.notEmpty.until(() => (taken = this.#tryTake()) !== undefined || this.#ring.closed, deadline, signal, this.#waitOpts)
    if (!arrived) throw new QueueEmptyError(this.#timedOutEmpty())
    if (taken === undefined) throw drained(this.#name)
    return this.#finish(taken)
  }

  async #finish(taken: Taken & { priority: number }): Promise<T> {
    return this.fromFrame(taken.priority, await decodeItem(taken))
  }

  #finishSync(taken: Taken & { priority: number }): T {
    return this.fromFrame(taken.priority, decodeItemSync(taken))
  }
}

/** Python spells it `block`; the shared deadline helper says `blocking`. */
function blockingOf(opts: QueueWaitOptions | undefined): { blocking?: boolean; timeout?: number } | undefined {
  if (typeof opts !== 'object' || opts === null) return opts as undefined // not options: deadlineFrom says so
  return { blocking: opts.block, timeout: opts.timeout }
}

function drained(name: string): EOFError {
  return new EOFError(`${name}: the queue is closed and nothing is left in it`)
}

function timedOutFull(what: string, size: number, peers: string): string {
  return `${what}.put(): the queue stayed full (${size} items) until the timeout; ${peers}. Wait longer, or read from it faster`
}

function timedOutEmpty(what: string, peers: string): string {
  return `${what}.get(): nothing arrived before the timeout; ${peers}. Wait longer, or check that a producer is running`
}

/** Who else has the queue, in words (never fails: the error must not be lost for want of it). */
function peersOf(ring: Ring): string {
  try {
    return describeQueuePeers(ring.segment.token, Atomics.load(ring.i32, (L.NOT_EMPTY_AT >> 2) + 2), Atomics.load(ring.i32, (L.NOT_FULL_AT >> 2) + 2))
  } catch {
    return 'who else holds it is unknown'
  }
}

registerQueueClass('Queue', Queue as new () => object)

registerKind('skein.Queue', (d, segment) => {
  const cls = classes.get(String(d.cls))
  if (cls === undefined) throw new TypeError(`cannot rebuild a shared ${String(d.cls)} here: its module was not loaded. Import it from 'skein'`)
  attaching = Ring.attach(segment)
  attachingName = revivedName(d, String(d.cls))
  try {
    return new cls()
  } finally {
    attaching = undefined
    attachingName = undefined
  }
})
