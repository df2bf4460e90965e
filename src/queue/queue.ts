/**
 * Queue: Python's `multiprocessing.Queue` and `queue.Queue` in one object,
 * for tasks, threads and processes.
 *
 * How it works. A handle over a ring (ring.ts): `put` encodes the item into
 * a scratch, the ring copies it in and commits, and the handle wakes one
 * announced reader; `get` has the ring copy the oldest frame out into a
 * scratch and decodes it, waking one blocked writer. Neither allocates per
 * item beyond the item itself (and the promise of the async forms). Only
 * when it must wait does a call spin briefly (spin.ts), then sleep in the
 * ring's wait set (wait-set.ts).
 */
import { QueueFullError, QueueEmptyError, QueueClosedError, describedLater } from '../errors.js'
import { kDescribe, holdsShareable, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { nameFrom, type NameOptions } from '../observe/names.js'
import { publishObject } from '../observe/records.js'
import { KIND } from '../observe/layout.js'
import { observeRing, describeRingPeers } from './observed.js'
import { NOWAIT, checkTimeout, signalFrom } from '../sync/options.js'
import { deadlineOf } from '../sync/wait.js'
import { createRing, PUT_OK, PUT_CLOSED, PUT_NO_ROOM, type Ring } from './ring.js'
import { encodeInto, encodeItem, newEncoded, copyEncoded, decodeItem, decodeItemSync, newTaken, copyTaken, T_HANDLES, type Encoded, type Taken } from './codec.js'
import { Spinner } from './spin.js'
import { waitDeadline, drained, timedOutFull, timedOutEmpty, tooBig, bytesFull, opNames, type OpNames, type QueueWaitOptions } from './queue-options.js'
import * as L from './layout.js'
import { untilEOF } from './until-eof.js'
import { registerQueueClass, takeAttaching } from './revive.js'

export type { QueueWaitOptions } from './queue-options.js'
export { registerQueueClass } from './revive.js'

/**
 * Construction options beyond Python's `maxsize`.
 *
 * @example
 * import { Queue } from 'skein'
 * const small = new Queue<Buffer>(0, { capacity: 16 * 1024 * 1024 }) // 16 MiB of unread bytes at most
 */
export interface QueueOptions extends NameOptions {
  /**
   * Bytes of unread items it holds at most (default 1 GiB). Only the pages
   * unread items occupy are used; this bounds the largest item and, for an
   * unbounded queue, how much can wait unread.
   */
  capacity?: number
}

/** While a queue is shared, a sleeping waiter looks again this often by itself: only a peer killed between its change and its wake-up needs it. */
export const BACKSTOP_MS = 200
const RESOLVED: Promise<void> = Promise.resolve()
/** Scratches of the synchronous paths (this thread runs one at a time). */
const ENCODED = newEncoded()
const TAKEN = newTaken()

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
 * middle of a `put` or `get` neither loses nor duplicates an item whose put
 * returned (a killed reader may take with it the one item its get had
 * already committed), and does not wedge the others (its lock is taken over).
 */
export class Queue<T = unknown> implements Shareable, AsyncIterable<T> {
  /** @internal The order of this class's items (FIFO, LIFO, PRIORITY). */
  static readonly order: number = L.FIFO
  readonly #ring: Ring
  readonly #name: string
  readonly #ops: OpNames
  /** What `skein top` and errors call this queue. */
  readonly name: string
  readonly #getSpin = new Spinner()
  readonly #putSpin = new Spinner()

  /**
   * @param maxsize the most items it holds at once; 0 (default): unbounded.
   * @param opts `capacity`: bytes of unread items at most (default 1 GiB).
   */
  constructor(maxsize = 0, opts: QueueOptions = {}) {
    this.#name = new.target.name
    this.#ops = opNames(this.#name)
    const attaching = takeAttaching()
    if (attaching !== undefined) {
      this.#ring = attaching.ring
      this.name = attaching.name ?? `${this.#name}@?`
      this.#ring.memory.label = this.#name
      this.#observe()
      return
    }
    this.name = nameFrom(opts, this.#name, `new ${this.#name}()`)
    if (!Number.isInteger(maxsize) || maxsize < 0 || maxsize > 0x7fffffff) {
      throw new RangeError(`${this.#name}(maxsize): maxsize must be a non-negative integer (got ${String(maxsize)}); use 0 for an unbounded queue`)
    }
    const capacity = opts.capacity ?? L.DEFAULT_CAPACITY
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > L.DEFAULT_CAPACITY) {
      throw new RangeError(`${this.#name}: capacity must be a whole number of bytes between 1 and 1 GiB (got ${String(capacity)})`)
    }
    this.#ring = createRing((new.target as typeof Queue).order, maxsize, capacity, this.#name)
    this.#observe()
  }

  /** In the registry: this handle's queue (skein top reads its depth from the ring) and what its sleepers wait for. */
  #observe(): void {
    observeRing(this.#ring, KIND.Queue, this.name)
    publishObject(this, KIND.Queue, this.name, this.#ring.memory.segment, 0)
  }

  /** `error`, its message saying who else holds the queue (described when first read: errors.ts describedLater). */
  #timedOut<E extends Error>(error: E, op: 'put' | 'get'): E {
    const what = `${this.#name} "${this.name}"`
    const size = this.qsize()
    return describedLater(error, () => {
      const peers = describeRingPeers(this.#ring)
      return op === 'put' ? timedOutFull(what, size, peers) : timedOutEmpty(what, peers)
    })
  }

  /** The most items it holds at once (0: unbounded). */
  get maxsize(): number {
    return this.#ring.memory.maxsize
  }

  /** How many items it holds now (a snapshot: others may change it at once). */
  qsize(): number {
    return this.#ring.count()
  }

  /** Whether it holds no item now (a snapshot). */
  empty(): boolean {
    return this.qsize() === 0
  }

  /** Whether it holds `maxsize` items now (a snapshot; never true when unbounded). */
  full(): boolean {
    return this.maxsize > 0 && this.qsize() >= this.maxsize
  }

  /** Whether `close()` was called (by anyone). */
  get closed(): boolean {
    return this.#ring.memory.closed
  }

  /**
   * Puts an item, waiting for room if the queue is full (unless
   * `block: false`). Rejects with `QueueFullError` when it does not fit in
   * time, `QueueClosedError` once closed, `TypeError` if it can't be cloned.
   */
  put(item: T, opts?: QueueWaitOptions): Promise<void> {
    let deadline: number | null
    let priority: number
    let value: unknown
    try {
      deadline = waitDeadline(opts, this.#ops.put)
      priority = this.framePriority(item)
      value = this.frameValue(item)
      if (!holdsShareable(value)) {
        const enc = encodeInto(ENCODED, value, this.#ops.put)
        if (this.#tryPut(enc, priority, item)) return RESOLVED
        if (deadline === NOWAIT) throw new QueueFullError(item)
        return this.#putWait(copyEncoded(enc), priority, item, deadline, opts?.signal)
      }
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#putShared(item, value, priority, deadline, opts?.signal)
  }

  /** `put(item, { block: false })`, synchronously: throws `QueueFullError` at once if full. */
  putNowait(item: T): void {
    this.putSync(item, { block: false })
  }

  /** Puts an item, blocking this thread while the queue is full. */
  putSync(item: T, opts?: QueueWaitOptions): void {
    const deadline = waitDeadline(opts, this.#ops.putSync)
    const priority = this.framePriority(item)
    const enc = encodeInto(ENCODED, this.frameValue(item), this.#ops.putSync)
    if (this.#tryPut(enc, priority, item)) return
    if (deadline === NOWAIT) throw new QueueFullError(item)
    this.#putEnc = enc
    this.#putPriority = priority
    this.#putItem = item
    try {
      if (this.#ring.notFull.shared && this.#putSpin.spin(this.#roomy) && this.#putAttempt()) return
      if (!this.#putSpin.waited(this.#ring.notFull.waitSync(this.#putAttempt, deadline, BACKSTOP_MS))) throw this.#timedOut(new QueueFullError(item), 'put')
    } finally {
      this.#putItem = undefined // not kept alive by the handle
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
      deadline = waitDeadline(opts, this.#ops.get)
      if (this.#take(TAKEN)) return this.#finish(TAKEN)
      if (this.#ring.memory.closed) return this.#take(TAKEN) ? this.#finish(TAKEN) : Promise.reject(drained(this.#name))
      if (deadline === NOWAIT) throw new QueueEmptyError()
      // Another thread or process may put within microseconds: a short spin beats an async wake-up (and a promise chain).
      if (this.#ring.notEmpty.shared && this.#getSpin.spin(this.#ready) && this.#take(TAKEN)) return this.#finish(TAKEN)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#getWait(deadline, opts?.signal)
  }

  /** `get({ block: false })`, synchronously: throws `QueueEmptyError` at once if empty. */
  getNowait(): T {
    return this.getSync({ block: false })
  }

  /** Takes the next item, blocking this thread while the queue is empty. */
  getSync(opts?: QueueWaitOptions): T {
    const deadline = waitDeadline(opts, this.#ops.getSync)
    if (this.#take(TAKEN)) return this.#decodeSync(TAKEN)
    if (this.#ring.memory.closed) {
      if (this.#take(TAKEN)) return this.#decodeSync(TAKEN)
      throw drained(this.#name)
    }
    if (deadline === NOWAIT) throw new QueueEmptyError()
    this.#tookSync = false
    const spun = this.#ring.notEmpty.shared && this.#getSpin.spin(this.#ready) && this.#getAttempt()
    if (!spun && !this.#getSpin.waited(this.#ring.notEmpty.waitSync(this.#getAttempt, deadline, BACKSTOP_MS))) {
      throw this.#timedOut(new QueueEmptyError(), 'get')
    }
    if (!this.#tookSync && !this.#take(TAKEN)) throw drained(this.#name)
    return this.#decodeSync(TAKEN)
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
    if (!this.#ring.taskDone()) throw new RangeError(`${this.#name}.taskDone(): called more times than there were items put; call it once per item you got`)
  }

  /** Resolves `true` once every item put has been marked done (`taskDone`); `false` at the timeout. */
  join(timeout?: number, opts?: { signal?: AbortSignal }): Promise<boolean> {
    let deadline: number | null
    let signal: AbortSignal | undefined
    try {
      // Checked first: bad input is an error even when nothing is left to wait for.
      deadline = deadlineOf(checkTimeout(timeout, `${this.#name}.join()`))
      signal = signalFrom(opts, `${this.#name}.join(timeout, options)`)
    } catch (error) {
      return Promise.reject(error)
    }
    if (this.#ring.unfinished() === 0) return Promise.resolve(true)
    return this.#ring.joined.wait(this.#allDone, deadline, signal, BACKSTOP_MS)
  }

  /** Like `join`, blocking this thread. */
  joinSync(timeout?: number): boolean {
    const deadline = deadlineOf(checkTimeout(timeout, `${this.#name}.joinSync()`))
    if (this.#ring.unfinished() === 0) return true
    return this.#ring.joined.waitSync(this.#allDone, deadline, BACKSTOP_MS)
  }

  /** Yields items as they come; ends once the queue is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return untilEOF(() => this.get())
  }

  [kDescribe](): HandleDescriptor {
    this.#ring.markShared()
    return { kind: 'skein.Queue', cls: this.#name, name: this.name, segment: this.#ring.memory.segment.describe(), offset: 0 }
  }

  /** @internal The priority an item is put with (PriorityQueue checks its pairs). */
  protected framePriority(_item: T): number {
    return 0
  }

  /** @internal What of an item goes into the frame (PriorityQueue: the value of the pair). */
  protected frameValue(item: T): unknown {
    return item
  }

  /** @internal The item rebuilt from a frame's priority and payload. */
  protected fromFrame(_priority: number, value: unknown): T {
    return value as T
  }

  // ----- internals

  /** One attempt to put; true when put, false when full (a bounded queue waits then). */
  #tryPut(enc: Encoded, priority: number, item: T): boolean {
    const ring = this.#ring
    if (!ring.fits(enc.length)) throw tooBig(this.#ops.put, enc.length, ring.memory.capacity)
    const outcome = ring.put(enc, priority)
    if (outcome === PUT_OK) {
      ring.notEmpty.wakeOne()
      return true
    }
    if (outcome === PUT_CLOSED) throw new QueueClosedError(item)
    if (outcome === PUT_NO_ROOM) {
      if (ring.memory.maxsize === 0) throw new QueueFullError(item, bytesFull(this.#name, ring.memory.capacity))
      ring.notFull.wakeAllNext() // room for items may come before room for these bytes
    }
    return false
  }

  /** Takes the next item into `into`; wakes one blocked writer. */
  #take(into: Taken): boolean {
    const ring = this.#ring
    if (!ring.take(into)) return false
    ring.notFull.wakeOne()
    return true
  }

  readonly #ready = (): boolean => this.#ring.count() > 0 || this.#ring.memory.closed
  #tookSync = false // getSync's attempt (one closure per handle, none per call)
  readonly #getAttempt = (): boolean => (this.#tookSync = this.#take(TAKEN)) || this.#ring.memory.closed
  // putSync's attempt, as getSync's: one closure per handle, and what it puts in fields for the call's length
  // (a closure per blocked put was ~64 bytes an item in a 4 + 4 pipeline: a child's scavenges).
  #putEnc: Encoded = ENCODED
  #putPriority = 0
  #putItem: T | undefined = undefined
  readonly #putAttempt = (): boolean => this.#tryPut(this.#putEnc, this.#putPriority, this.#putItem as T)
  readonly #roomy = (): boolean => this.#ring.count() < this.#ring.memory.maxsize || this.#ring.memory.closed
  readonly #allDone = (): boolean => this.#ring.unfinished() === 0

  async #putShared(item: T, value: unknown, priority: number, deadline: number | null, signal: AbortSignal | undefined): Promise<void> {
    const enc = await encodeItem(value, this.#ops.put)
    if (this.#tryPut(enc, priority, item)) return
    if (deadline === NOWAIT) throw new QueueFullError(item)
    return this.#putWait(enc, priority, item, deadline, signal)
  }

  async #putWait(enc: Encoded, priority: number, item: T, deadline: number | null, signal: AbortSignal | undefined): Promise<void> {
    const attempt = () => this.#tryPut(enc, priority, item)
    if (this.#ring.notFull.shared && this.#putSpin.spin(this.#roomy) && attempt()) return
    if (!this.#putSpin.waited(await this.#ring.notFull.wait(attempt, deadline, signal, BACKSTOP_MS))) throw this.#timedOut(new QueueFullError(item), 'put')
  }

  async #getWait(deadline: number | null, signal: AbortSignal | undefined): Promise<T> {
    const ring = this.#ring
    const mine = newTaken()
    let took = false
    const arrived = this.#getSpin.waited(await ring.notEmpty.wait(() => (took = this.#take(mine)) || ring.memory.closed, deadline, signal, BACKSTOP_MS))
    if (!arrived) throw this.#timedOut(new QueueEmptyError(), 'get')
    if (!took && !this.#take(mine)) throw drained(this.#name)
    return this.#finish(mine)
  }

  /** The item of a taken frame, as the promise `get` returns. */
  #finish(taken: Taken): Promise<T> {
    if (taken.tag === T_HANDLES) return this.#finishShared(taken === TAKEN ? copyTaken(taken) : taken)
    try {
      return Promise.resolve(this.#decodeSync(taken))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  async #finishShared(taken: Taken): Promise<T> {
    return this.fromFrame(taken.priority, await decodeItem(taken, this.#ring.memory.label))
  }

  #decodeSync(taken: Taken): T {
    return this.fromFrame(taken.priority, decodeItemSync(taken, this.#ring.memory.label))
  }
}

registerQueueClass('Queue', Queue as new () => object)
