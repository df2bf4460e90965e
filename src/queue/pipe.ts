/**
 * Pipe and Connection: Python's `multiprocessing.Pipe`, on the same FIFO
 * rings as the queues (one ring per direction, unbounded, so `send` never
 * waits).
 *
 * How it works. Each ring records who holds its writing and its reading end
 * (the holder's owner id, as locks do) and whether that end was closed. A
 * reader that finds the ring empty sees end-of-file once the writing end is
 * closed, or its holder (thread or process) has died; a closed end wakes
 * the reader, a dead holder can't, so while the ring is shared a waiting
 * reader also checks the holder's liveness at each backstop wake (a few
 * times a second). A Connection passed to a Process or Thread *moves*
 * there, like a transferred MessagePort: the sender's copy is closed
 * without closing the end, and the receiver records itself as the holder.
 */
import { EOFError, QueueEmptyError } from '../errors.js'
import { kDescribe, registerPlainKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { nameFrom, revivedName, type NameOptions } from '../observe/names.js'
import { dropObject, publishObject, type ObjectRecord } from '../observe/records.js'
import { KIND } from '../observe/layout.js'
import { observeRing } from './observed.js'
import { Segment, type SegmentDescriptor } from '../shm/segment.js'
import { checkTimeout, signalFrom } from '../sync/options.js'
import { deadlineOf } from '../sync/wait.js'
import { isAlive, owner } from '../sync/identity.js'
import { createRing, attachRing, PUT_OK } from './ring.js'
import { FifoRing } from './fifo-ring.js'
import { encodeInto, newEncoded, newTaken, copyTaken, decodeItem, decodeItemSync, T_HANDLES, T_BUFFER, type Encoded, type Taken } from './codec.js'
import { asBytes, checkMaxLength } from './pipe-bytes.js'
import { Spinner } from './spin.js'
import { timeoutDeadline } from './queue-options.js'
import { BACKSTOP_MS } from './queue.js'
import * as L from './layout.js'
import { untilEOF } from './until-eof.js'

const ENCODED = newEncoded()
const TAKEN = newTaken()

/** A waiting reader of a shared pipe checks that the writer still lives at most this often. */
const LIVENESS_MS = 100

/**
 * Options of `recv` and `poll`.
 *
 * @example
 * import { Pipe } from 'skein'
 * const [a, b] = Pipe<string>()
 * b.send('hi')
 * console.log(await a.recv({ timeout: 1000 })) // hi
 */
export interface RecvOptions {
  /** Milliseconds to wait at most; past it `recv` throws QueueEmptyError. Default: forever. */
  timeout?: number
  /** Aborting it rejects the wait with the signal's reason (async forms only). */
  signal?: AbortSignal
}

/**
 * Returns the two ends of a new pipe (Python's `multiprocessing.Pipe`).
 * Duplex (the default): both ends send and receive. `Pipe(false)`: the first
 * end only receives, the second only sends.
 *
 * @example
 * import { Pipe } from 'skein'
 * const [left, right] = Pipe<string>()
 * left.send('ping')
 * console.log(await right.recv()) // ping
 * right.send('pong')
 * console.log(await left.recv())  // pong
 */
export function Pipe<T = unknown>(duplex = true, opts?: NameOptions): [Connection<T>, Connection<T>] {
  const name = nameFrom(opts, 'Pipe', 'Pipe()')
  // Each direction is named after the ends it goes between: end 0 is the first returned.
  if (!duplex) {
    const toFirst = newRing(`${name} 1→0`)
    return [new Connection<T>(toFirst, undefined), new Connection<T>(undefined, toFirst)]
  }
  const ab = newRing(`${name} 0→1`)
  const ba = newRing(`${name} 1→0`)
  return [new Connection<T>(ba, ab), new Connection<T>(ab, ba)]
}

/** The names of pipe directions (each FifoRing of a pipe is named once, where it is made or attached). */
const ringNames = new WeakMap<FifoRing, string>()

function newRing(name: string): FifoRing {
  const ring = createRing(L.FIFO, 0, L.DEFAULT_CAPACITY, 'Pipe') as FifoRing
  ring.memory.i32[L.WRITER] = owner.id
  ring.memory.i32[L.READER] = owner.id
  nameRing(ring, name)
  return ring
}

function nameRing(ring: FifoRing, name: string): void {
  ringNames.set(ring, name)
  observeRing(ring, KIND.Pipe, name)
}

/** Ends that were never closed nor moved are closed when their Connection is collected. */
const unclosed = new FinalizationRegistry<{ rx: FifoRing | undefined; tx: FifoRing | undefined }>((ends) => closeEnds(ends.rx, ends.tx))

/**
 * One end of a {@link Pipe}.
 *
 * @example
 * import { Pipe, Process, isMainProcess, type Connection } from 'skein'
 * export async function child(conn: Connection<string>) { conn.send(`got ${await conn.recv()}`); conn.close() }
 * if (isMainProcess()) {
 *   const [here, there] = Pipe<string>()
 *   const p = new Process({ target: child, args: [there] })   // `there` moves to the child
 *   await p.start(); here.send('ping')
 *   console.log(await here.recv()) // got ping
 *   await p.join()
 * }
 *
 * Semantics: `send` never waits (the pipe is unbounded) and throws
 * `EOFError` once the other end is closed. `recv` waits for a message;
 * once the other end is closed, or the thread or process holding it has
 * ended, and nothing is left, it throws `EOFError`. Messages keep their types
 * (structured clone) and shared objects in them arrive as the same objects.
 */
export class Connection<T = unknown> implements Shareable, AsyncIterable<T> {
  #rx: FifoRing | undefined
  #tx: FifoRing | undefined
  readonly #token = {}
  readonly #spin = new Spinner()
  #checkedAt = 0
  #sent: unknown // the rings of an end that moved (see kDescribe)
  /** This end's directions in the registry (their depths), while it holds them. */
  #records: ObjectRecord[]

  /** @internal Use {@link Pipe}. */
  constructor(rx: FifoRing | undefined, tx: FifoRing | undefined) {
    this.#rx = rx
    this.#tx = tx
    unclosed.register(this, { rx, tx }, this.#token)
    this.#records = [rx, tx].filter((r) => r !== undefined).map((r) => publishObject(this, KIND.Pipe, ringNames.get(r) ?? 'Pipe@?', r.memory.segment, 0))
  }

  #unpublish(): void {
    for (const record of this.#records) dropObject(record)
    this.#records = []
  }

  /** Whether this end can receive. */
  get readable(): boolean {
    return this.#rx !== undefined
  }

  /** Whether this end can send. */
  get writable(): boolean {
    return this.#tx !== undefined
  }

  /** Whether this end was closed (or moved to another thread or process). */
  get closed(): boolean {
    return this.#rx === undefined && this.#tx === undefined
  }

  /** Sends a message (a structured clone); never waits. Throws `EOFError` if the other end is closed. */
  send(value: T): void {
    this.#put(encodeInto(ENCODED, value, 'Connection.send()'), value)
  }

  /** Sends bytes (a Buffer or Uint8Array, or a slice of it), received by `recvBytes` as a Buffer. */
  sendBytes(bytes: Uint8Array, offset = 0, size?: number): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('Connection.sendBytes(): expected a Buffer or Uint8Array; use send() for other values')
    const end = size === undefined ? bytes.byteLength : offset + size
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(end) || end < offset || end > bytes.byteLength) {
      throw new RangeError(`Connection.sendBytes(): offset ${offset} and size ${String(size)} do not fit in ${bytes.byteLength} bytes`)
    }
    const view = Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset)
    const e = ENCODED
    e.tag = T_BUFFER
    e.length = view.byteLength
    e.bytes = view
    e.text = undefined
    e.number = 0
    this.#put(e, bytes)
  }

  /** Receives the next message, waiting for one. Throws `EOFError` once the other end is gone and nothing is left. */
  recv(opts?: RecvOptions): Promise<T> {
    try {
      const rx = this.#reader('recv')
      timeoutDeadline(opts, 'Connection.recv()')
      // The fast path: a message is there, or comes while we spin (the other end may answer within
      // microseconds); decode it now (the scratch is reused by the next take).
      if (rx.take(TAKEN) || (rx.notEmpty.shared && !writerClosed(rx) && this.#spin.spin(this.#readyNow) && rx.take(TAKEN))) {
        return (TAKEN.tag === T_HANDLES ? decodeItem(copyTaken(TAKEN), 'Pipe') : Promise.resolve(decodeItemSync(TAKEN, 'Pipe'))) as Promise<T>
      }
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#recvSlow(opts)
  }

  async #recvSlow(opts: RecvOptions | undefined): Promise<T> {
    return (await decodeItem(await this.#take(opts, 'recv', false), 'Pipe')) as T
  }

  /** Like `recv`, blocking this thread. */
  recvSync(opts?: { timeout?: number }): T {
    return decodeItemSync(this.#takeSync(opts, 'recvSync'), 'Pipe') as T
  }

  /**
   * Receives the next message as bytes: what `sendBytes` sent, a string's
   * UTF-8, or the structured-clone encoding of anything else
   * (`v8.deserialize` reads it). `maxLength`: a longer message throws `RangeError`.
   */
  async recvBytes(maxLength?: number, opts?: RecvOptions): Promise<Buffer> {
    checkMaxLength(maxLength, 'recvBytes')
    return asBytes(await this.#take(opts, 'recvBytes'), maxLength)
  }

  /** Like `recvBytes`, blocking this thread. */
  recvBytesSync(maxLength?: number, opts?: { timeout?: number }): Buffer {
    checkMaxLength(maxLength, 'recvBytesSync')
    return asBytes(this.#takeSync(opts, 'recvBytesSync'), maxLength)
  }

  /** Resolves true once a message is waiting (or `recv` would throw EOFError), false at the timeout. */
  poll(timeout = 0, opts?: { signal?: AbortSignal }): Promise<boolean> {
    let rx: FifoRing
    let deadline: number | null
    let signal: AbortSignal | undefined
    try {
      rx = this.#reader('poll')
      signal = signalFrom(opts, 'Connection.poll(timeout, options)')
      if (this.#ready(rx) || writerGone(rx)) return Promise.resolve(true)
      deadline = deadlineOf(checkTimeout(timeout, 'Connection.poll()'))
    } catch (error) {
      return Promise.reject(error)
    }
    return rx.notEmpty.wait(() => this.#ready(rx) || this.#writerGoneNow(rx), deadline, signal, BACKSTOP_MS)
  }

  /** Like `poll`, blocking this thread. */
  pollSync(timeout = 0): boolean {
    const rx = this.#reader('pollSync')
    if (this.#ready(rx) || writerGone(rx)) return true
    return rx.notEmpty.waitSync(() => this.#ready(rx) || this.#writerGoneNow(rx), deadlineOf(checkTimeout(timeout, 'Connection.pollSync()')), BACKSTOP_MS)
  }

  /** Closes this end: the other end's `recv` throws `EOFError` once drained, its `send` throws. Idempotent. */
  close(): void {
    if (this.closed) return
    unclosed.unregister(this.#token)
    closeEnds(this.#rx, this.#tx)
    this.#unpublish()
    this.#rx = this.#tx = undefined
  }

  /** Closes this end (`using conn = …`). */
  [Symbol.dispose](): void {
    this.close()
  }

  /** Yields messages until the other end is gone and nothing is left. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return untilEOF(() => this.recv())
  }

  /** Describes this end for another thread or process and closes it here: the end moves. */
  [kDescribe](): HandleDescriptor {
    if (this.closed) throw new TypeError('this Connection is closed (or was already sent elsewhere): a Connection moves when sent, so send each end once')
    const d: HandleDescriptor = { kind: 'skein.Connection', rx: describeRing(this.#rx), tx: describeRing(this.#tx), rxName: nameOf(this.#rx), txName: nameOf(this.#tx) }
    this.#unpublish()
    unclosed.unregister(this.#token)
    // The receiver attaches later (a child, after it starts); until then only this process's
    // mapping keeps the rings' memory. Kept as long as this object (a Process keeps its args).
    this.#sent = [this.#rx, this.#tx]
    this.#rx = this.#tx = undefined
    return d
  }

  // ----- internals

  #reader(op: string): FifoRing {
    if (this.#rx !== undefined) return this.#rx
    throw new TypeError(this.closed ? `Connection.${op}(): this end is closed (or was sent elsewhere)` : `Connection.${op}(): this end only sends (Pipe(false) gives a receiving end first, a sending end second)`)
  }

  #put(enc: Encoded, item: unknown): void {
    const tx = this.#tx
    if (tx === undefined) {
      throw new TypeError(this.closed ? 'Connection.send(): this end is closed (or was sent elsewhere)' : 'Connection.send(): this end only receives (Pipe(false) gives a receiving end first, a sending end second)')
    }
    if (Atomics.load(tx.memory.i32, L.READER_CLOSED) === 1) throw new EOFError('Connection.send(): the other end of the pipe is closed, so nobody would read this')
    if (!tx.fits(enc.length)) throw new RangeError(`Connection.send(): the message takes ${enc.length} bytes, more than a pipe carries at once (${tx.memory.capacity}); share big data through SharedMemory`)
    if (tx.put(enc, 0) !== PUT_OK) {
      throw new RangeError(`Connection.send(): ${tx.memory.capacity} bytes of messages wait unread, so the pipe can't take more; read from the other end (item: ${typeof item})`)
    }
    tx.notEmpty.wakeOne()
  }

  /** Whether a read would not wait: a message is there, or the writer closed its end. */
  #ready(rx: FifoRing): boolean {
    return rx.count() > 0 || writerClosed(rx)
  }

  /** The writer's liveness, read from /proc at most every LIVENESS_MS (a waiting reader's backstop wakes check it). */
  #writerGoneNow(rx: FifoRing): boolean {
    const now = performance.now()
    if (now - this.#checkedAt < LIVENESS_MS) return false
    this.#checkedAt = now
    return writerGone(rx)
  }

  /** The next message, into a Taken of its own (it outlives awaits). */
  async #take(opts: RecvOptions | undefined, op: string, spin = true): Promise<Taken> {
    const rx = this.#reader(op)
    const deadline = opts === undefined ? null : timeoutDeadline(opts, `Connection.${op}()`)
    const mine = newTaken()
    if (rx.take(mine)) return mine
    if (writerClosed(rx)) return rx.take(mine) ? mine : eof()
    // The other end may answer within microseconds: a short spin beats an async wake-up.
    if (spin && rx.notEmpty.shared && this.#spin.spin(this.#readyNow) && rx.take(mine)) return mine
    let took = false
    const done = this.#spin.waited(await rx.notEmpty.wait(() => (took = rx.take(mine)) || writerClosed(rx) || this.#writerGoneNow(rx), deadline, opts?.signal, BACKSTOP_MS))
    if (!done) throw new QueueEmptyError(`Connection.${op}(): no message arrived before the timeout; wait longer, or check the other end sends`)
    return took || rx.take(mine) ? mine : eof()
  }

  #takeSync(opts: { timeout?: number } | undefined, op: string): Taken {
    const rx = this.#reader(op)
    const deadline = opts === undefined ? null : timeoutDeadline(opts, `Connection.${op}()`) // no label built per call
    if (rx.take(TAKEN)) return TAKEN
    if (writerClosed(rx)) return rx.take(TAKEN) ? TAKEN : eof()
    this.#tookSync = false
    const spun = rx.notEmpty.shared && this.#spin.spin(this.#readyNow) && this.#attemptSync()
    if (!spun && !this.#spin.waited(rx.notEmpty.waitSync(this.#attemptSync, deadline, BACKSTOP_MS))) {
      throw new QueueEmptyError(`Connection.${op}(): no message arrived before the timeout; wait longer, or check the other end sends`)
    }
    return this.#tookSync || rx.take(TAKEN) ? TAKEN : eof()
  }

  // The blocking receive's attempts, made once per end (no closure per call).
  #tookSync = false
  readonly #readyNow = (): boolean => this.#ready(this.#rx!)
  readonly #attemptSync = (): boolean => {
    const rx = this.#rx!
    return (this.#tookSync = rx.take(TAKEN)) || writerClosed(rx) || this.#writerGoneNow(rx)
  }
}

function eof(): never {
  throw new EOFError('Connection.recv(): the other end is closed (or its thread or process ended) and nothing is left to read')
}

/** The writing end was closed (one atomic load: checked on every attempt). */
function writerClosed(rx: FifoRing): boolean {
  return Atomics.load(rx.memory.i32, L.WRITER_CLOSED) === 1
}

/** The writing end was closed, or whoever held it has ended (reads /proc). */
function writerGone(rx: FifoRing): boolean {
  if (writerClosed(rx)) return true
  const writer = Atomics.load(rx.memory.i32, L.WRITER)
  return writer !== owner.id && !isAlive(writer)
}

function closeEnds(rx: FifoRing | undefined, tx: FifoRing | undefined): void {
  if (tx !== undefined) {
    Atomics.store(tx.memory.i32, L.WRITER_CLOSED, 1)
    tx.notEmpty.wakeAll()
  }
  if (rx !== undefined) Atomics.store(rx.memory.i32, L.READER_CLOSED, 1)
}

function nameOf(ring: FifoRing | undefined): string | undefined {
  return ring === undefined ? undefined : ringNames.get(ring)
}

function describeRing(ring: FifoRing | undefined): SegmentDescriptor | null {
  if (ring === undefined) return null
  ring.markShared()
  return ring.memory.segment.describe()
}

registerPlainKind('skein.Connection', (d) => {
  const attach = (s: unknown, name: unknown): FifoRing | undefined => {
    if (s === null || s === undefined) return undefined
    const ring = attachRing(Segment.attach(s as SegmentDescriptor), 'Pipe')
    if (!(ring instanceof FifoRing)) return ring.memory.corrupt('a pipe end names a ring that is not FIFO')
    nameRing(ring, revivedName({ name }, 'Pipe'))
    return ring
  }
  const rx = attach(d.rx, d.rxName)
  const tx = attach(d.tx, d.txName)
  // This thread holds the ends now.
  if (rx !== undefined) Atomics.store(rx.memory.i32, L.READER, owner.id)
  if (tx !== undefined) Atomics.store(tx.memory.i32, L.WRITER, owner.id)
  return new Connection(rx, tx)
})
