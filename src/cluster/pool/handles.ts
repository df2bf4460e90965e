/**
 * Cluster objects inside a task's arguments (a cluster Lock passed to a
 * task): swapped for their descriptors before the message is serialized,
 * and connected again on the worker (revive.ts), which hands them on to its
 * local process like any shareable. Local shared objects (a `skein` Lock,
 * Queue, Value…) live in one machine's memory: refused, naming the fix.
 */
import { encode, decode, holdsShareable } from '../../shm/handle.js'
import { localShareable, onRedisAt } from '../redis/codec.js'

export { holdsShareable }

/** The payload with its cluster objects swapped for descriptors; a TypeError for a local shared object. */
export async function encodeHandles(payload: unknown, where: string): Promise<unknown> {
  const local = localShareable(payload)
  if (local !== undefined) throw new TypeError(`${where}: a local ${local} can't cross machines; pass the cluster one (cluster.Lock(name), cluster.Queue(name)…), or plain data`)
  return encode(payload)
}

/** The payload with its descriptors connected again, on the Redis at `url` (the one the task came from); only cluster objects are admitted. */
export function decodeHandles(payload: unknown, url: string): Promise<unknown> {
  return decode(payload, onRedisAt(url, 'a task argument'))
}
