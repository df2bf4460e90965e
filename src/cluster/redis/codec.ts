/**
 * How values become bytes in Redis and back, for the cluster Queue and dict
 * (and any other cluster object that stores values: the Pool may reuse it).
 *
 * How it works: one tag byte, then `v8.serialize` of the value (structured
 * clone: Map, Set, Date, BigInt, typed arrays, Buffers, nested objects).
 * Cluster objects inside a value (a cluster Lock in a queue item) are first
 * swapped for their descriptors (handle.ts `encode`), and revived on the way
 * out, so they arrive as the same objects on any machine. Local shared
 * objects (a `skein` Lock, Queue, Value…) live in one machine's memory, so
 * they are refused with a TypeError naming the cluster equivalent.
 *
 * A stored value is never empty (the tag byte), so the empty string is free
 * for markers (the closed queue's end marker).
 */
import { serialize, deserialize } from 'node:v8'
import { decode, encode, holdsShareable, isShareable } from '../../shm/handle.js'
import { visitTree } from '../../shm/walk.js'

/** Carried by every cluster object (object.ts): the codec tells them from local shared objects without importing them. */
export const kClusterObject = Symbol.for('skein.cluster.object')

const TAG_PLAIN = 0
const TAG_HANDLES = 1

/**
 * Encodes a value for Redis. Rejects with a TypeError naming the fix when it
 * can't be cloned or holds a local shared object.
 *
 * @example const bytes = await encodeValue(new Map([[1, 'a']]), 'q.put()'); console.log((await decodeValue(bytes)) instanceof Map)
 */
export async function encodeValue(value: unknown, where: string): Promise<Buffer> {
  if (!holdsShareable(value)) return encodeValueSync(value, where)
  const local = localShareable(value)
  if (local !== undefined) {
    throw new TypeError(`${where}: a local ${local} can't cross machines; use the cluster one (cluster.Lock(name), cluster.Queue(name)…), or send plain data`)
  }
  return tagged(TAG_HANDLES, await encode(value), where)
}

/** Encodes a value that holds no shared object (throws otherwise, or when it can't be cloned). */
export function encodeValueSync(value: unknown, where: string): Buffer {
  if (holdsShareable(value)) throw new TypeError(`${where}: values holding shared objects take the async path (encodeValue)`)
  return tagged(TAG_PLAIN, value, where)
}

/** The value stored by {@link encodeValue}; cluster objects in it are connected again (shared per process). */
export async function decodeValue(bytes: Buffer): Promise<unknown> {
  if (bytes.length === 0) throw new TypeError('decodeValue(): an empty buffer is a marker, not a value')
  const value = deserialize(bytes.subarray(1))
  return bytes[0] === TAG_HANDLES ? decode(value) : value
}

function tagged(tag: number, value: unknown, where: string): Buffer {
  let body: Buffer
  try {
    body = serialize(value)
  } catch (error) {
    throw new TypeError(`${where}: the value can't be structured-cloned (${(error as Error).message}); send plain data, Maps, Sets, Dates, typed arrays or Buffers — not functions, classes with private state or sockets`, { cause: error })
  }
  const out = Buffer.allocUnsafe(body.length + 1)
  out[0] = tag
  body.copy(out, 1)
  return out
}

/** The class name of a non-cluster shared object inside `value`, if any. */
export function localShareable(value: unknown): string | undefined {
  let found: string | undefined
  visitTree(value, (node) => {
    if (!isShareable(node)) return
    if (kClusterObject in node) return 'skip'
    found = node.constructor?.name ?? 'shared object'
    return 'stop'
  })
  return found
}
