/**
 * Cluster objects inside a task's arguments (a cluster Lock passed to a
 * task): swapped for their descriptors before the message is serialized,
 * and connected again on the worker (revive.ts), which hands them on to its
 * local process like any shareable. Local shared objects (a `skein` Lock,
 * Queue, Value…) live in one machine's memory: refused, naming the fix.
 */
import { encode, decode, holdsShareable, isShareable, isPlainObject, needsWalk } from '../../shm/handle.js'
import { ClusterObject } from '../object.js'

export { holdsShareable }

/** The payload with its cluster objects swapped for descriptors; a TypeError for a local shared object. */
export async function encodeHandles(payload: unknown, where: string): Promise<unknown> {
  const local = localShareable(payload)
  if (local !== undefined) throw new TypeError(`${where}: a local ${local} can't cross machines; pass the cluster one (cluster.Lock(name), cluster.Queue(name)…), or plain data`)
  return encode(payload)
}

/** The payload with its descriptors connected again. */
export function decodeHandles(payload: unknown): Promise<unknown> {
  return decode(payload)
}

function localShareable(value: unknown): string | undefined {
  if (!needsWalk(value)) return undefined
  if (isShareable(value)) return value instanceof ClusterObject ? undefined : ((value as object).constructor?.name ?? 'shared object')
  const children: Iterable<unknown> = Array.isArray(value) ? value
    : value instanceof Map ? [...value.keys(), ...value.values()]
      : value instanceof Set ? value
        : isPlainObject(value) ? Object.values(value) : []
  for (const child of children) {
    const found = localShareable(child)
    if (found !== undefined) return found
  }
  return undefined
}
