/**
 * Pipe and Connection: Python's `multiprocessing.Pipe`, on the same rings as
 * the queues (one ring per direction, unbounded, so `send` never waits).
 *
 * How it works. Each ring records who holds its writing and its reading end
 * (the holder's owner id, as locks do) and whether that end was closed. A
 * reader that finds the ring empty sees end-of-file once the writing end is
 * closed, or its holder (thread or process) has died; while the ring is
 * shared it re-checks that a few times a second. A Connection passed to a
 * Process or Thread *moves* there, like a transferred MessagePort: the
 * sender's copy is closed without closing the end, and the receiver records
 * itself as the holder.
 */
import { serialize } from 'node:v8'
import { EOFError, QueueEmptyError } from '../errors.js'
import { kDescribe, registerPlainKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { Segment, type SegmentDescriptor } from '../shm/segment.js'
import { checkTimeout, timeoutOf } from '../sync/options.js'
import { deadlineOf, type UntilOptions } from '../sync/wait.js'
import { isAlive, owner } from '../sync/identity.js'
import { Ring } from './ring.js'
import { encodeItemSync, decodeItem, decodeItemSync, T_HANDLES, T_BUFFER, T_BYTES, T_STRING, type Taken } from './codec.js'
import * as L from './layout.js'
import { untilEOF } from './until-eof.js'
import { nameFrom, revivedName, type NameOptions } from '../observe/names.js'
import { dropObject, publishObject, type ObjectRecord } from '../observe/records.js'
import { KIND } from '../observe/layout.js'

/** How often a waiting reader of a shared pipe checks that the writer still lives. */
const POLL_MS = 200

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

function newRing(name: string): Ring {
  const ring = Ring.create(L.FIFO, 0, L.DEFAULT_CAPACITY)
  ring.i32[L.WRITER] = owner.id
  ring.i32[L.READER] = owner.id
  ring.observe(KIND.Pipe, name)
  return ring
}

/** Ends that were never closed nor moved are closed when their Connection is collected. */
const unclosed = new FinalizationRegistry<{ rx: Ring | undefined; tx: Ring | undefined }>((ends) => closeEnds(ends.rx, ends.tx))

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
  #rx: Ring | undefined
  #tx: Ring | undefined
  readonly #token = {}
  readonly #waitOpts: UntilOptions
  /** This end's directions in the registry (their depths), while it holds them. */
  #records: ObjectRecord[]

  /** @internal Use {@link Pipe}. */
  constructor(rx: Ring | undefined, tx: Ring | undefined) {
    this.#rx = rx
    this.#tx = tx
    unclosed.register(this, { rx, tx }, this.#token)
    this.#records = [rx, tx].filter((r) => r !== undefined).map((r) => publishObject(this, KIND.Pipe, r.observedName, r.segment, 0))
    this.#waitOpts = {
      slice: (deadline) => {
        if (this.#rx === undefined || !this.#rx.notEmpty.shared) return deadline
        const poll = performance.now() + POLL_MS
        return deadline === null || deadline > poll ? poll : deadline
      },
      // Each sliced sleep that ends without a wake checks that the writer still lives.
      recover: () => this.#rx !== undefined && writerGone(this.#rx),
    }
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
    this.#put(encodeItemSync(value, 'Connection.send()'), value)
  }

  /** Sends bytes (a Buffer or Uint8Array, or a slice of it), received by `recvBytes` as a Buffer. */
  sendBytes(bytes: Uint8Array, offset = 0, size?: number): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('Connection.sendBytes(): expected a Buffer or Uint8Array; use send() for other values')
    const end = size === undefined ? bytes.byteLength : offset + size
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(end) || end < offset || end > bytes.byteLength) {
      throw new RangeError(`Connection.sendBytes(): offset ${offset} and size ${String(size)} do not fit in ${bytes.byteLength} bytes`)
    }
    const view = Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset)
    this.#put({ tag: T_BUFFER, length: view.byteLength, bytes: view, text: undefined, number: 0 }, bytes)
  }

  /** Receives the next message, waiting for one. Throws `EOFError` once the other end is gone and nothing is left. */
  async recv(opts?: RecvOptions): Promise<T> {
    const taken = await this.#take(opts, 'recv')
    return (taken.tag === T_HANDLES ? await decodeItem(taken) : decodeItemSync(taken)) as T
  }

  /** Like `recv`, blocking this thread. */
  recvSync(opts?: { timeout?: number }): T {
    return decodeItemSync(this.#takeSync(opts, 'recvSync')) as T
  }

  /**
   * Receives the next message as bytes: what `sendBytes` sent, a string's
   * UTF-8, or the structured-clone encoding of anything else
   * (`v8.deserialize` reads it). `maxLength`: a longer message throws `RangeError`.
   */
  async recvBytes(maxLength?: number, opts?: RecvOptions): Promise<Buffer> {
    return asBytes(await this.#take(opts, 'recvBytes'), maxLength)
  }

  /** Like `recvBytes`, blocking this thread. */
  recvBytesSync(maxLength?: number, opts?: { timeout?: number }): Buffer {
    return asBytes(this.#takeSync(opts, 'recvBytesSync'), maxLength)
  }

  /** Resolves true once a message is waiting (or `recv` would throw EOFError), false at the timeout. */
  poll(timeout = 0, opts?: { signal?: AbortSignal }): Promise<boolean> {
    let rx: Ring
    let deadline: number | null
    try {
      rx = this.#reader('poll')
      if (this.#ready(rx) || writerGone(rx)) return Promise.resolve(true)
      deadline = deadlineOf(checkTimeout(timeout, 'Connection.poll()'))
    } catch (error) {
      return Promise.reject(error)
    }
    return rx.notEmpty.until(() => this.#ready(rx), deadline, opts?.signal, this.#waitOpts)
  }

  /** Like `poll`, blocking this thread. */
  pollSync(timeout = 0): boolean {
    const rx = this.#reader('pollSync')
    if (this.#ready(rx) || writerGone(rx)) return true
    return rx.notEmpty.untilSync(() => this.#ready(rx), deadlineOf(checkTimeout(timeout, 'Connection.pollSync()')), this.#waitOpts)
  }

  /** Closes this end: the other end's `recv` throws `EOFError` once drained, its `send` throws. Idempotent. */
  close(): void {
    if (this.closed) return
    unclosed.unregister(this.#token)
    closeEnds(this.#rx, this.#tx)
    this.#rx = this.#tx = undefined
    this.#unpublish()
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
    const d: HandleDescriptor = { kind: 'skein.Connection', rx: describeRing(this.#rx), tx: describeRing(this.#tx), rxName: this.#rx?.observedName, txName: this.#tx?.observedName }
    unclosed.unregister(this.#token)
    this.#rx = this.#tx = undefined
    this.#unpublish()
    return d
  }

  // ----- internals

  #unpublish(): void {
    for (const record of this.#records) dropObject(record)
    this.#records = []
  }

  #reader(op: string): Ring {
    if (this.#rx !== undefined) return this.#rx
    throw new TypeError(this.closed ? `Connection.${op}(): this end is closed (or was sent elsewhere)` : `Connection.${op}(): this end only sends (Pipe(false) gives a receiving end first, a sending end second)`)
  }

  #put(enc: ReturnType<typeof encodeItemSync>, item: unknown): void {
    const tx = this.#tx
    if (tx === undefined) {
      throw new TypeError(this.closed ? 'Connection.send(): this end is closed (or was sent elsewhere)' : 'Connection.send(): this end only receives (Pipe(false) gives a receiving end first, a sending end second)')
    }
    if (Atomics.load(tx.i32, L.READER_CLOSED) === 1) throw new EOFError('Connection.send(): the other end of the pipe is closed, so nobody would read this')
    if (!tx.fits(enc.length)) throw new RangeError(`Connection.send(): the message takes ${enc.length} bytes, more than a pipe carries at once (${tx.capacity}); share big data through SharedMemory`)
    const put = tx.locked(() => tx.tryPut(enc, 0))
    if (put !== 0) {
      throw new RangeError(`Connection.send(): ${tx.capacity} bytes of messages wait unread, so the pipe can't take more; read from the other end (item: ${typeof item})`)
    }
    if (tx.notEmpty.waiting) tx.notEmpty.notify(1, 1)
  }

  /** Whether a read would not wait: a message is there, or the writer is gone. */
  #ready(rx: Ring): boolean {
    return rx.state(L.COUNT) > 0 || writerClosed(rx)
  }

  #tryTake(rx: Ring): Taken | undefined {
    return rx.locked(() => rx.tryTake())
  }

  async #take(opts: RecvOptions | undefined, op: string): Promise<Taken> {
    const rx = this.#reader(op)
    let taken = this.#tryTake(rx)
    if (taken !== undefined) return taken
    if (writerClosed(rx)) return (taken = this.#tryTake(rx)) ?? eof()
    const deadline = deadlineOf(timeoutOf(opts, `Connection.${op}()`))
    // The other end may answer within microseconds: a short spin beats an async wake-up through the addon's waiter thread.
    if (rx.notEmpty.shared && rx.spinWhileEmpty() && (taken = this.#tryTake(rx)) !== undefined) return taken
    const done = await rx.notEmpty.until(() => (taken = this.#tryTake(rx)) !== undefined || writerClosed(rx), deadline, opts?.signal, this.#waitOpts)
    if (!done) throw new QueueEmptyError(`Connection.${op}(): no message arrived before the timeout; wait longer, or check the other end sends`)
    return taken ?? this.#tryTake(rx) ?? eof()
  }

  #takeSync(opts: { timeout?: number } | undefined, op: string): Taken {
    const rx = this.#reader(op)
    let taken = this.#tryTake(rx)
    if (taken !== undefined) return taken
    const deadline = deadlineOf(timeoutOf(opts, `Connection.${op}()`))
    if (rx.spinWhileEmpty() && (taken = this.#tryTake(rx)) !== undefined) return taken
    const done = rx.notEmpty.untilSync(() => (taken = this.#tryTake(rx)) !== undefined || writerClosed(rx), deadline, this.#waitOpts)
    if (!done) throw new QueueEmptyError(`Connection.${op}(): no message arrived before the timeout; wait longer, or check the other end sends`)
    return taken ?? this.#tryTake(rx) ?? eof()
  }
}

function eof(): never {
  throw new EOFError('Connection.recv(): the other end is closed (or its thread or process ended) and nothing is left to read')
}

/** The writing end was closed (one atomic load: checked on every attempt). */
function writerClosed(rx: Ring): boolean {
  return Atomics.load(rx.i32, L.WRITER_CLOSED) === 1
}

/** The writing end was closed, or whoever held it has ended (reads /proc: checked once per sliced sleep). */
function writerGone(rx: Ring): boolean {
  if (writerClosed(rx)) return true
  const writer = Atomics.load(rx.i32, L.WRITER)
  return writer !== owner.id && !isAlive(writer)
}

function closeEnds(rx: Ring | undefined, tx: Ring | undefined): void {
  if (tx !== undefined) {
    Atomics.store(tx.i32, L.WRITER_CLOSED, 1)
    tx.notEmpty.notify()
  }
  if (rx !== undefined) Atomics.store(rx.i32, L.READER_CLOSED, 1)
}

function describeRing(ring: Ring | undefined): SegmentDescriptor | null {
  if (ring === undefined) return null
  ring.markShared()
  ring.lock[kDescribe]()
  return ring.segment.describe()
}

function asBytes(taken: Taken, maxLength: number | undefined): Buffer {
  let bytes: Buffer
  if (taken.tag === T_BUFFER || taken.tag === T_BYTES) bytes = taken.bytes ?? Buffer.alloc(0)
  else if (taken.tag === T_STRING) bytes = Buffer.from(taken.text!, 'utf8')
  else if (taken.bytes !== undefined) bytes = taken.bytes
  else bytes = serialize(decodeItemSync(taken))
  if (maxLength !== undefined && bytes.byteLength > maxLength) {
    throw new RangeError(`Connection.recvBytes(): the message has ${bytes.byteLength} bytes, more than maxLength ${maxLength}`)
  }
  return bytes
}

registerPlainKind('skein.Connection', (d) => {
  const attach = (s: unknown, name: unknown): Ring | undefined => {
    if (s === null || s === undefined) return undefined
    const ring = Ring.attach(Segment.attach(s as SegmentDescriptor))
    ring.observe(KIND.Pipe, revivedName({ name }, 'Pipe'))
    return ring
  }
  const rx = attach(d.rx, d.rxName)
  const tx = attach(d.tx, d.txName)
  // This thread holds the ends now.
  if (rx !== undefined) Atomics.store(rx.i32, L.READER, owner.id)
  if (tx !== undefined) Atomics.store(tx.i32, L.WRITER, owner.id)
  return new Connection(rx, tx)
})
