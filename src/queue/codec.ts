/**
 * How items become bytes in a ring and back.
 *
 * How it works. The commonest items skip `v8.serialize`: numbers (8 bytes),
 * strings (UTF-8), booleans, null, undefined and byte arrays are written
 * straight into shared memory and read straight back; encoding, not
 * transport, limits a queue's rate (DESIGN.md's spike: 6.6 M small ints/s
 * raw, 0.74 M/s through v8.serialize). Plain records go as JSON text, which
 * round-trips them exactly and faster. Everything else goes through
 * structured clone (`v8.serialize`: Map, Set, Date, BigInt, typed arrays,
 * nested objects), after shared objects in it (a Lock, another Queue) are
 * swapped for their descriptors, so they arrive as the same objects.
 *
 * Strings that are not well-formed UTF-16 (a lone surrogate, `'a\uD800'`)
 * can't be written as UTF-8 without changing them, so they go as UTF-16
 * code units instead (T_STRING16); `String.prototype.isWellFormed` decides.
 *
 * The put and get fast paths allocate nothing per item: an item is encoded
 * into a scratch {@link Encoded} the caller owns, and a frame is read into a
 * scratch {@link Taken}.
 */
import { serialize, deserialize } from 'node:v8'
import { encode, encodeSync, decode, decodeSync, holdsShareable } from '../shm/handle.js'
import { QueueCorruptError } from '../errors.js'
import { native } from '../native.js'

/** Items from this size on get their destination's pages faulted in before the copy. */
const PREFAULT_FROM = 256 << 10
/**
 * Payloads from this size on are copied by the kernel, through the
 * segment's memfd, not through this process's mapping: on a VM that
 * shadows page tables, a process's first touch of each ring page costs a
 * fault the guest does not see, and large items mostly land on pages this
 * process has not touched (docs/queues.md, "Large items").
 */
export const KERNEL_COPY_FROM = 256 << 10

/** Tags: how a frame's payload is to be read. */
export const T_UNDEFINED = 0
export const T_NULL = 1
export const T_FALSE = 2
export const T_TRUE = 3
export const T_NUMBER = 4
export const T_STRING = 5
export const T_BYTES = 6 // a Uint8Array
export const T_BUFFER = 7 // a Buffer
export const T_CLONE = 8 // v8.serialize
export const T_HANDLES = 9 // v8.serialize of an item holding shared objects
export const T_JSON = 10 // plain data that JSON carries exactly (UTF-8 JSON text)
export const T_STRING16 = 11 // a string that is not well-formed UTF-16 (UTF-16LE code units)
/** The highest tag: a frame claiming another is corrupt. */
export const T_LAST = T_STRING16

/** An item ready to be written: a tag and, unless inline, its bytes (one shape for all, so callers stay monomorphic). */
export interface Encoded {
  tag: number
  /** Payload length in bytes. */
  length: number
  /** The bytes to copy (clones and byte arrays); strings and numbers are written in place. */
  bytes: Uint8Array | undefined
  /** The string, for T_STRING, T_STRING16 and T_JSON. */
  text: string | undefined
  /** The number, for T_NUMBER. */
  number: number
}

/** A fresh Encoded to fill (one per caller that keeps it across an await). */
export function newEncoded(): Encoded {
  return { tag: T_UNDEFINED, length: 0, bytes: undefined, text: undefined, number: 0 }
}

/** A copy of `e` (to keep past the next encode into the same scratch). */
export function copyEncoded(e: Encoded): Encoded {
  return fill(newEncoded(), e.tag, e.length, e.bytes, e.text, e.number)
}

function fill(out: Encoded, tag: number, length: number, bytes: Uint8Array | undefined, text: string | undefined, number: number): Encoded {
  out.tag = tag
  out.length = length
  out.bytes = bytes
  out.text = text
  out.number = number
  return out
}

/**
 * Encodes an item into `out` without waiting (the *Sync forms and the fast
 * path of the async ones). Throws a TypeError naming the fix if it can't be cloned.
 */
export function encodeInto(out: Encoded, item: unknown, where: string): Encoded {
  if (encodeFast(out, item) || encodeJson(out, item)) return out
  if (holdsShareable(item)) return clone(out, encodeSync(item), T_HANDLES, where)
  return clone(out, item, T_CLONE, where)
}

/** Encodes an item into a new Encoded, describing shared objects in it (some describe asynchronously). */
export async function encodeItem(item: unknown, where: string): Promise<Encoded> {
  const out = newEncoded()
  if (encodeFast(out, item) || encodeJson(out, item)) return out
  if (holdsShareable(item)) return clone(out, await encode(item), T_HANDLES, where)
  return clone(out, item, T_CLONE, where)
}

/** ES2024's String.prototype.isWellFormed (in Node since 20), not yet in this TypeScript lib. */
type WellFormed = string & { isWellFormed(): boolean }

function encodeFast(out: Encoded, item: unknown): boolean {
  switch (typeof item) {
    case 'number':
      fill(out, T_NUMBER, 8, undefined, undefined, item)
      return true
    case 'string':
      if ((item as WellFormed).isWellFormed()) fill(out, T_STRING, Buffer.byteLength(item), undefined, item, 0)
      else fill(out, T_STRING16, item.length * 2, undefined, item, 0)
      return true
    case 'boolean':
      fill(out, item ? T_TRUE : T_FALSE, 0, undefined, undefined, 0)
      return true
    case 'undefined':
      fill(out, T_UNDEFINED, 0, undefined, undefined, 0)
      return true
    case 'object': {
      if (item === null) {
        fill(out, T_NULL, 0, undefined, undefined, 0)
        return true
      }
      if (!(item instanceof Uint8Array)) return false
      const tag = Buffer.isBuffer(item) ? T_BUFFER : item.constructor === Uint8Array ? T_BYTES : -1
      if (tag < 0) return false
      fill(out, tag, item.byteLength, item, undefined, 0)
      return true
    }
    default:
      return false
  }
}

/**
 * Plain data (objects and arrays of strings, finite numbers, booleans and
 * null) goes as JSON text: JSON.stringify + JSON.parse is several times
 * faster than v8.serialize + v8.deserialize for the small records queues
 * mostly carry, and gives back exactly the same value (JSON.stringify
 * escapes lone surrogates, so they survive too). Anything JSON would change
 * (undefined, -0, NaN, Dates, Maps, class instances, holes, cycles) or that
 * is large goes through structured clone.
 */
function encodeJson(out: Encoded, item: unknown): boolean {
  if (typeof item !== 'object' || item === null) return false
  budget = JSON_NODES
  if (!jsonExact(item, 0)) return false
  const text = JSON.stringify(item)
  fill(out, T_JSON, Buffer.byteLength(text), undefined, text, 0)
  return true
}

const JSON_NODES = 4096
const JSON_DEPTH = 32
let budget = 0

function jsonExact(value: unknown, depth: number): boolean {
  if (--budget < 0) return false
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
    case 'object': {
      if (value === null) return true
      if (depth >= JSON_DEPTH) return false
      const proto = Object.getPrototypeOf(value)
      if (proto === Array.prototype) {
        const list = value as unknown[]
        for (let i = 0; i < list.length; i++) {
          if (!(i in list) || !jsonExact(list[i], depth + 1)) return false
        }
        return true
      }
      if (proto !== Object.prototype) return false
      for (const key in value) {
        if (!Object.hasOwn(value, key) || !jsonExact((value as Record<string, unknown>)[key], depth + 1)) return false
      }
      return true
    }
    default:
      return false
  }
}

function clone(out: Encoded, value: unknown, tag: number, where: string): Encoded {
  let bytes: Buffer
  try {
    bytes = serialize(value)
  } catch (error) {
    throw new TypeError(`${where}: the item can't be sent to another thread or process (${(error as Error).message}). Send plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays, Buffers) or skein's shared objects; functions, class instances with private state, sockets and promises can't be cloned`, { cause: error })
  }
  return fill(out, tag, bytes.byteLength, bytes, undefined, 0)
}

/** Writes an encoded item's payload at byte `at` of `buf` (its frame was sized for `e.length`). */
export function writePayload(e: Encoded, buf: Buffer, f64: Float64Array, at: number): void {
  const tag = e.tag
  if (tag === T_NUMBER) f64[at / 8] = e.number
  else if (tag === T_STRING || tag === T_JSON) buf.write(e.text!, at, e.length, 'utf8')
  else if (tag === T_STRING16) buf.write(e.text!, at, e.length, 'utf16le')
  else if (e.bytes !== undefined) {
    if (!kernelCopied(e) || native.writeSegment(buf.buffer as SharedArrayBuffer, at, e.bytes, e.length) !== 0) buf.set(e.bytes, at)
  }
}

/** Whether an item's payload goes into the ring through the memfd (its pages need not be faulted in ahead: the writer never touches them). */
export function kernelCopied(e: Encoded): boolean {
  return e.bytes !== undefined && e.length >= KERNEL_COPY_FROM
}

// ----- the way back

/** What a get took out of the ring: the tag and a private copy of the payload (or the number). */
export interface Taken {
  tag: number
  /** Payload length in bytes. */
  length: number
  bytes: Buffer | undefined
  text: string | undefined
  number: number
  /** PriorityQueue: the item's priority. */
  priority: number
}

/** A fresh Taken to fill. */
export function newTaken(): Taken {
  return { tag: T_UNDEFINED, length: 0, bytes: undefined, text: undefined, number: 0, priority: 0 }
}

/** A copy of `t` (to keep across an await). */
export function copyTaken(t: Taken): Taken {
  return { tag: t.tag, length: t.length, bytes: t.bytes, text: t.text, number: t.number, priority: t.priority }
}

/**
 * Reads a frame's payload (`length` bytes at byte `at` of `buf`, 8-aligned)
 * into `into`, copying it out. The caller checked the tag (0..T_LAST) and
 * that the bytes lie inside the ring.
 */
export function readPayload(into: Taken, tag: number, length: number, buf: Buffer, f64: Float64Array, at: number): void {
  into.tag = tag
  into.length = length
  into.bytes = undefined
  into.text = undefined
  into.number = 0
  if (tag === T_NUMBER) into.number = f64[at / 8]!
  else if (tag === T_STRING || tag === T_JSON) into.text = buf.toString('utf8', at, at + length)
  else if (tag === T_STRING16) into.text = buf.toString('utf16le', at, at + length)
  else if (tag >= T_BYTES && length > 0) {
    // What the user keeps gets a buffer of its own; what is decoded at once may share the pool.
    const bytes = tag === T_BYTES || tag === T_BUFFER ? Buffer.allocUnsafeSlow(length) : Buffer.allocUnsafe(length)
    // Fresh memory for a large item: faulting its pages in at once costs a fraction of faulting them one by one.
    if (length >= PREFAULT_FROM) native.populate(bytes.buffer, bytes.byteOffset, length)
    if (length < KERNEL_COPY_FROM || native.readSegment(buf.buffer as SharedArrayBuffer, at, bytes, length) !== 0) buf.copy(bytes, 0, at, at + length)
    into.bytes = bytes
  }
}

/** Whether a frame's payload length suits its tag (fixed-size tags have one length). */
export function lengthFits(tag: number, length: number): boolean {
  if (tag === T_NUMBER) return length === 8
  if (tag <= T_TRUE) return length === 0
  if (tag === T_STRING16) return (length & 1) === 0
  return true
}

/**
 * Turns a taken frame into the item (shared objects attach synchronously).
 * `label` names the queue: bytes that do not decode are corruption.
 */
export function decodeItemSync(taken: Taken, label: string): unknown {
  try {
    if (taken.tag === T_HANDLES) return decodeSync(deserialize(taken.bytes ?? EMPTY))
    return decodeSimple(taken)
  } catch (error) {
    throw undecodable(taken, error, label)
  }
}

/** Turns a taken frame into the item. */
export async function decodeItem(taken: Taken, label: string): Promise<unknown> {
  try {
    if (taken.tag === T_HANDLES) return await decode(deserialize(taken.bytes ?? EMPTY))
    return decodeSimple(taken)
  } catch (error) {
    throw undecodable(taken, error, label)
  }
}

/** JSON text or clone bytes that do not parse were written by something else; other errors (attaching a shared object) are the user's. */
function undecodable(taken: Taken, error: unknown, label: string): unknown {
  if (taken.tag !== T_JSON && taken.tag !== T_CLONE && !(error instanceof SyntaxError)) return error
  return new QueueCorruptError(label, `an item's bytes do not decode (${(error as Error).message})`, { cause: error })
}

function decodeSimple(taken: Taken): unknown {
  switch (taken.tag) {
    case T_NUMBER:
      return taken.number
    case T_STRING:
    case T_STRING16:
      return taken.text
    case T_JSON:
      return JSON.parse(taken.text!)
    case T_UNDEFINED:
      return undefined
    case T_NULL:
      return null
    case T_FALSE:
      return false
    case T_TRUE:
      return true
    case T_BUFFER:
      return taken.bytes ?? Buffer.alloc(0)
    case T_BYTES:
      return taken.bytes === undefined ? new Uint8Array(0) : new Uint8Array(taken.bytes.buffer, taken.bytes.byteOffset, taken.bytes.byteLength)
    default: // T_CLONE: frames' tags are checked when read
      return deserialize(taken.bytes ?? EMPTY)
  }
}

const EMPTY = Buffer.alloc(0)
