/**
 * Records: how one key or value of a SharedDict / SharedList becomes bytes
 * in a snapshot, and back.
 *
 * How it works. A record is one byte array: a tag byte, then the payload.
 * Strings (UTF-8), numbers (float64), booleans, null and undefined skip
 * `v8.serialize`; a string with a lone surrogate, which UTF-8 would turn
 * into U+FFFD, and everything else is structured clone (Map, Set, Date,
 * BigInt, typed arrays, nested objects keep their types). A value holding
 * skein shared objects (a Lock, an Event, another SharedDict…) is first
 * walked by `handle.ts`'s `encode` (over `walk.ts`), which swaps each for its descriptor; it
 * is tagged so that reading it revives them as the same objects.
 *
 * Every read deserializes afresh, so what a reader gets is its own copy:
 * changing it never changes the shared state (as with Python's Manager).
 */
import { serialize, deserialize } from 'node:v8'
import { AsyncHandleError, decode, decodeSync, encode, encodeSync, holdsShareable } from '../shm/handle.js'
import { discardDescribed, type StructPlace } from '../shm/arena.js'
import { addRef, HEADER } from '../shm/slot-header.js'
import { Segment } from '../shm/segment.js'
import { visitTree } from '../shm/walk.js'

const T_UNDEFINED = 0
const T_NULL = 1
const T_FALSE = 2
const T_TRUE = 3
const T_NUMBER = 4
const T_STRING = 5
const T_CLONE = 6
const T_HANDLES = 7

// Numbers go through these (little-endian on every platform Node runs skein on).
const scratchF64 = new Float64Array(1)
const scratchU8 = new Uint8Array(scratchF64.buffer)

const rUndefined = Buffer.from([T_UNDEFINED])
const rNull = Buffer.from([T_NULL])
const rFalse = Buffer.from([T_FALSE])
const rTrue = Buffer.from([T_TRUE])

/**
 * A dict key: compared by value in every thread and process.
 *
 * @example
 * import { SharedDict, type SharedDictKey } from 'skein'
 * const key: SharedDictKey = 1n
 * await new SharedDict<SharedDictKey, string>().set(key, 'a bigint key')
 */
export type Key = string | number | bigint | boolean

/** Throws the TypeError of {@link encodeKey} for a key of the wrong type. */
export function checkKey(key: unknown, where: string): void {
  const t = typeof key
  if (t !== 'string' && t !== 'number' && t !== 'bigint' && t !== 'boolean') encodeKey(key, where)
}

/** Encodes a dict key; a TypeError for anything but a string, number, bigint or boolean. */
export function encodeKey(key: unknown, where: string): Uint8Array {
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'boolean':
      return fast(key)!
    case 'bigint':
      return clone(key, T_CLONE, where)
    default:
      throw new TypeError(`${where}: keys must be strings, numbers, bigints or booleans (got ${key === null ? 'null' : typeof key}). An object key would be a different object in every thread and process; use a string such as JSON.stringify(key)`)
  }
}

/** Reads a key record back. */
export function decodeKey(record: Uint8Array): Key {
  return decodePlain(record) as Key
}

/**
 * Encodes a value without waiting: undefined when it holds a shared object
 * whose description is asynchronous (a Value, a SharedArray, a Condition…),
 * which {@link encodeValue} handles. Throws a TypeError if it can't be cloned.
 */
export function encodeValueSync(value: unknown, where: string): Uint8Array | undefined {
  const f = fast(value)
  if (f !== undefined) return f
  if (!holdsShareable(value)) return clone(value, T_CLONE, where)
  const made: unknown[] = []
  let marked: unknown
  try {
    marked = encodeSync(value, made)
  } catch (error) {
    if (!(error instanceof AsyncHandleError)) throw error
    // Each descriptor made holds a reference meant for a receiver that will never come.
    for (const d of made) {
      if (d instanceof Promise) d.then(releaseDescriptor, () => {})
      else releaseDescriptor(d)
    }
    return undefined
  }
  return clone(marked, T_HANDLES, where)
}

/** Encodes any cloneable value, shared objects included (each described once). */
export async function encodeValue(value: unknown, where: string): Promise<Uint8Array> {
  const f = fast(value)
  if (f !== undefined) return f
  if (!holdsShareable(value)) return clone(value, T_CLONE, where)
  return clone(await encode(value), T_HANDLES, where)
}

/** Whether a value holds skein shared objects (then prefer {@link encodeValue}: it describes them once). */
export function holdsShared(value: unknown): boolean {
  return holdsShareable(value)
}

/** Whether reading the record revives shared objects (possibly asynchronously). */
export function holdsHandles(record: Uint8Array): boolean {
  return record[0] === T_HANDLES
}

/** Reads a value record back (a fresh copy); shared objects in it are attached again. */
export async function decodeValue(record: Uint8Array): Promise<unknown> {
  return record[0] === T_HANDLES ? decode(deserialize(record.subarray(1))) : decodePlain(record)
}

/**
 * Reads a value record back without waiting; throws a TypeError (with `fix`
 * as the way out) if a shared object in it attaches only asynchronously.
 */
export function decodeValueSync(record: Uint8Array, fix: string): unknown {
  if (record[0] !== T_HANDLES) return decodePlain(record)
  try {
    return decodeSync(deserialize(record.subarray(1)))
  } catch (error) {
    if (!(error instanceof AsyncHandleError)) throw error
    throw new TypeError(`this value holds a shared object (a Value, SharedArray, Condition, Barrier or cluster object) that attaches asynchronously: ${fix}`)
  }
}

/*
 * Stored shared objects and their references (src/shm/arena.ts). A
 * descriptor made by `encode` holds one reference on each struct it names
 * (a Lock, a Value's storage…), meant for the one receiver that attaches it.
 * A record in a collection is read many times, so:
 * - the record keeps that reference while it is stored;
 * - each read adds one for the reader ({@link retainRecord}, under the
 *   collection's lock, so the record can't be dropped meanwhile), which
 *   attaching then takes over;
 * - a record replaced or removed gives its references back
 *   ({@link releaseRecord}, under the lock, after the commit).
 * A collection dropped while it still stores shared objects keeps them
 * alive until their segments go (leaking is preferred to freeing early).
 */

/** Adds a reference, for one more reader, on every struct a handle record names. */
export function retainRecord(record: Uint8Array): void {
  for (const d of countedIn(record)) addRef(Segment.attach(d.segment).i32, d.offset - HEADER)
}

/** Gives back the references a handle record holds (it was replaced, removed, or never stored). */
export function releaseRecord(record: Uint8Array): void {
  for (const d of countedIn(record)) discardDescribed(d, Segment.attach(d.segment))
}

/** Gives back the references of a descriptor that will never be attached. */
function releaseDescriptor(d: unknown): void {
  for (const place of countedWithin(d)) {
    try {
      discardDescribed(place, Segment.attach(place.segment))
    } catch {
      // its segment is gone: nothing to free
    }
  }
}

/** The counted struct descriptors anywhere in a handle record (a Value's lock included). */
function countedIn(record: Uint8Array): StructPlace[] {
  return record[0] === T_HANDLES ? countedWithin(deserialize(record.subarray(1))) : []
}

function countedWithin(value: unknown): StructPlace[] {
  const out: StructPlace[] = []
  visitTree(value, (node) => {
    const o = node as Record<string, unknown>
    if (o.counted === true && typeof o.offset === 'number' && typeof o.segment === 'object') out.push(o as unknown as StructPlace)
  })
  return out
}

/** Whether two records hold the same bytes. */
export function sameRecord(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true
  if (a === undefined || b === undefined || a.byteLength !== b.byteLength) return false
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

// ----- internals

function fast(value: unknown): Uint8Array | undefined {
  switch (typeof value) {
    case 'string': {
      // UTF-8 can't carry a lone surrogate (it would come back as U+FFFD): such strings are cloned.
      if (!isWellFormed(value)) return clone(value, T_CLONE, 'string')
      const out = Buffer.allocUnsafe(1 + Buffer.byteLength(value))
      out[0] = T_STRING
      out.write(value, 1, 'utf8')
      return out
    }
    case 'number': {
      scratchF64[0] = value
      const out = Buffer.allocUnsafe(9)
      out[0] = T_NUMBER
      for (let i = 0; i < 8; i++) out[i + 1] = scratchU8[i] as number
      return out
    }
    case 'boolean':
      return value ? rTrue : rFalse
    case 'undefined':
      return rUndefined
    case 'object':
      return value === null ? rNull : undefined
    default:
      return undefined
  }
}

/** `String.prototype.isWellFormed` (ES2024, in every Node skein runs on; not in our ES2023 lib typings). */
function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed()
}

function decodePlain(record: Uint8Array): unknown {
  switch (record[0]) {
    case T_UNDEFINED: return undefined
    case T_NULL: return null
    case T_FALSE: return false
    case T_TRUE: return true
    case T_NUMBER:
      for (let i = 0; i < 8; i++) scratchU8[i] = record[i + 1] as number
      return scratchF64[0]
    case T_STRING: return (Buffer.isBuffer(record) ? record : Buffer.from(record.buffer, record.byteOffset, record.byteLength)).toString('utf8', 1)
    case T_CLONE: return deserialize(record.subarray(1))
    default: throw new Error(`SharedDict/SharedList: unknown record tag ${record[0]}; the shared memory is damaged or was written by another version of skein`)
  }
}

function clone(value: unknown, tag: number, where: string): Uint8Array {
  let bytes: Buffer
  try {
    bytes = serialize(value)
  } catch (error) {
    throw new TypeError(`${where}: the value can't be shared (${(error as Error).message}). Store plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays) or skein's shared objects; functions, symbols, promises and class instances with private state can't be cloned. Nothing was written`, { cause: error })
  }
  const out = Buffer.allocUnsafe(1 + bytes.byteLength)
  out[0] = tag
  bytes.copy(out, 1)
  return out
}

