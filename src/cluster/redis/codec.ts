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
 *
 * Bytes read from Redis are untrusted (anyone who can write there wrote
 * them): a value that can't be decoded is a TypeError saying so, and the
 * objects it names are revived only if they are cluster objects, on the
 * Redis they were read from — never a local shared object (a segment of
 * some process), never another server a forged descriptor names.
 */
import { serialize, deserialize } from 'node:v8'
import { decode, encode, holdsShareable, isShareable, type HandleDescriptor } from '../../shm/handle.js'
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

/** The kinds of object a cluster connection makes (object.ts). */
export const CLUSTER_TYPES = ['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Queue', 'JoinableQueue', 'dict', 'Pool'] as const

/**
 * The value stored by {@link encodeValue}, read from the Redis at `url`;
 * cluster objects in it are connected again (shared per process). A
 * TypeError when the bytes are not a value skein stored.
 */
export async function decodeValue(bytes: Buffer, url: string, where: string): Promise<unknown> {
  if (bytes.length === 0 || bytes[0]! > TAG_HANDLES) throw new TypeError(`${where}: the bytes read from Redis are not a value skein stored (no tag); something else wrote to this key`)
  let value: unknown
  try {
    value = deserialize(bytes.subarray(1))
  } catch (error) {
    throw new TypeError(`${where}: the bytes read from Redis can't be decoded (${(error as Error).message}); something else wrote to this key`)
  }
  return bytes[0] === TAG_HANDLES ? decode(value, onRedisAt(url, where)) : value
}

/** Admits only cluster descriptors, on the Redis at `url` (handle.ts `decode`). */
export function onRedisAt(url: string, where: string): (d: HandleDescriptor) => HandleDescriptor {
  return (d) => {
    if (d.kind !== 'skein.cluster' || !(CLUSTER_TYPES as readonly unknown[]).includes(d.type) || typeof d.name !== 'string' ||
      typeof d.namespace !== 'string' || typeof d.options !== 'object' || d.options === null || Array.isArray(d.options)) {
      throw new TypeError(`${where}: a value read from Redis names a shared object of kind ${JSON.stringify(String(d.kind).slice(0, 60))}; only cluster objects cross machines, so it is refused`)
    }
    return { ...d, url }
  }
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
