/**
 * How items become bytes in a ring and back.
 *
 * How it works. The commonest items skip `v8.serialize`: numbers (8 bytes),
 * strings (UTF-8), booleans, null, undefined and byte arrays are written
 * straight into shared memory and read straight back; encoding, not
 * transport, limits a queue's rate (DESIGN.md's spike: 6.6 M small ints/s
 * raw, 0.74 M/s through v8.serialize). Everything else goes through
 * structured clone (`v8.serialize`: Map, Set, Date, BigInt, typed arrays,
 * nested objects), after shared objects in it (a Lock, another Queue) are
 * swapped for their descriptors, so they arrive as the same objects.
 */
import { serialize, deserialize } from 'node:v8'
import { encode, encodeSync, decode, decodeSync, holdsShareable } from '../shm/handle.js'

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

/** An item ready to be written: a tag and, unless inline, its bytes (one shape for all, so callers stay monomorphic). */
export interface Encoded {
  tag: number
  /** Payload length in bytes. */
  length: number
  /** The bytes to copy (clones and byte arrays); strings and numbers are written in place. */
  bytes: Uint8Array | undefined
  /** The string, for T_STRING. */
  text: string | undefined
  /** The number, for T_NUMBER. */
  number: number
}

function encoded(tag: number, length: number, bytes: Uint8Array | undefined, text: string | undefined, number: number): Encoded {
  return { tag, length, bytes, text, number }
}

const encodedUndefined = encoded(T_UNDEFINED, 0, undefined, undefined, 0)
const encodedNull = encoded(T_NULL, 0, undefined, undefined, 0)
const encodedFalse = encoded(T_FALSE, 0, undefined, undefined, 0)
const encodedTrue = encoded(T_TRUE, 0, undefined, undefined, 0)

/**
 * Encodes an item without waiting (for the *Sync forms and the fast path of
 * the async ones). Throws a TypeError naming the fix if it can't be cloned.
 */
export function encodeItemSync(item: unknown, where: string): Encoded {
  const fast = encodeFast(item) ?? encodeJson(item)
  if (fast !== undefined) return fast
  if (holdsShareable(item)) return clone(encodeSync(item), T_HANDLES, where)
  return clone(item, T_CLONE, where)
}

/** Encodes an item, describing shared objects in it (some describe asynchronously). */
export async function encodeItem(item: unknown, where: string): Promise<Encoded> {
  const fast = encodeFast(item) ?? encodeJson(item)
  if (fast !== undefined) return fast
  if (holdsShareable(item)) return clone(await encode(item), T_HANDLES, where)
  return clone(item, T_CLONE, where)
}

function encodeFast(item: unknown): Encoded | undefined {
  switch (typeof item) {
    case 'number':
      return encoded(T_NUMBER, 8, undefined, undefined, item)
    case 'string':
      return encoded(T_STRING, Buffer.byteLength(item), undefined, item, 0)
    case 'boolean':
      return item ? encodedTrue : encodedFalse
    case 'undefined':
      return encodedUndefined
    case 'object':
      if (item === null) return encodedNull
      if (item instanceof Uint8Array) {
        const tag = Buffer.isBuffer(item) ? T_BUFFER : item.constructor === Uint8Array ? T_BYTES : -1
        if (tag >= 0) return encoded(tag, item.byteLength, item, undefined, 0)
      }
      return undefined
    default:
      return undefined
  }
}

/**
 * Plain data (objects and arrays of strings, finite numbers, booleans and
 * null) goes as JSON text: JSON.stringify + JSON.parse is several times
 * faster than v8.serialize + v8.deserialize for the small records queues
 * mostly carry, and gives back exactly the same value. Anything JSON would
 * change (undefined, -0, NaN, Dates, Maps, class instances, holes, cycles)
 * or that is large goes through structured clone.
 */
function encodeJson(item: unknown): Encoded | undefined {
  if (typeof item !== 'object' || item === null) return undefined
  budget = JSON_NODES
  if (!jsonExact(item, 0)) return undefined
  const text = JSON.stringify(item)
  return encoded(T_JSON, Buffer.byteLength(text), undefined, text, 0)
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

function clone(value: unknown, tag: number, where: string): Encoded {
  let bytes: Buffer
  try {
    bytes = serialize(value)
  } catch (error) {
    throw new TypeError(`${where}: the item can't be sent to another thread or process (${(error as Error).message}). Send plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays, Buffers) or skein's shared objects; functions, class instances with private state, sockets and promises can't be cloned`, { cause: error })
  }
  return encoded(tag, bytes.byteLength, bytes, undefined, 0)
}

/** What a get took out of the ring: the tag and a private copy of the payload (or the number). */
export interface Taken {
  tag: number
  /** Payload bytes in the ring. */
  length: number
  bytes: Buffer | undefined
  text: string | undefined
  number: number
  /** PriorityQueue: the item's priority. */
  priority: number
}

/** Turns a taken frame into the item (shared objects attach synchronously). */
export function decodeItemSync(taken: Taken): unknown {
  if (taken.tag === T_HANDLES) return decodeSync(deserialize(taken.bytes!))
  return decodeSimple(taken)
}

/** Turns a taken frame into the item. */
export async function decodeItem(taken: Taken): Promise<unknown> {
  if (taken.tag === T_HANDLES) return decode(deserialize(taken.bytes!))
  return decodeSimple(taken)
}

function decodeSimple(taken: Taken): unknown {
  switch (taken.tag) {
    case T_NUMBER:
      return taken.number
    case T_STRING:
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
      return taken.bytes
    case T_BYTES:
      return new Uint8Array(taken.bytes!.buffer, taken.bytes!.byteOffset, taken.bytes!.byteLength)
    case T_CLONE:
      return deserialize(taken.bytes!)
    default:
      throw new Error(`skein queue: unknown item tag ${taken.tag} (the queue's memory was written by something else)`)
  }
}
