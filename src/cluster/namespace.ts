/**
 * A namespace as a whole, for `skein status` and `skein purge`: what its
 * keys in Redis hold, read without blocking Redis (SCAN, never KEYS), and
 * deleting them all.
 *
 * How it works. Every key is `namespace:type:name[:part]`. The object
 * names are the keys with each type's parts taken off (object.ts
 * KEY_PARTS; a queue's in-flight lists, a pool's per-worker and per-client
 * keys); then one pipeline reads what each object holds. A name that ends
 * like a part (a Queue named `x:closed`) is read as that part of `x`: the
 * report is a view, not a contract.
 */
import type { Redis } from 'ioredis'
import { KEY_PARTS, type ClusterType } from './object.js'
import type { ClusterConnection } from './redis/connection.js'
import { CLUSTER_TYPES } from './redis/codec.js'
import { globEscape, scanKeys } from './redis/scan.js'
import { Script } from './redis/script.js'
import { QSIZE } from './queue/queue-scripts.js'
import { PoolKeys } from './pool/scripts.js'

/** A pool worker as its registration and heartbeat say. */
export interface WorkerStatus { id: string; concurrency: number; alive: boolean; inFlight: { messages: number; tasks: number } }

/** What `skein status` reports about a namespace. */
export interface NamespaceStatus {
  namespace: string
  keys: number
  /** Connections whose liveness key says alive (clients with queue gets, workers' local clients…). */
  clientsAlive: number
  pools: Array<{ name: string; workers: WorkerStatus[]; backlog: { messages: number; tasks: number }; dead: number }>
  queues: Array<{ name: string; type: 'Queue' | 'JoinableQueue'; items: number; closed: boolean; unfinished: number; getsInFlight: number }>
  locks: Array<{ name: string; type: 'Lock' | 'RLock'; held: boolean; leaseLeftMs: number | null }>
  semaphores: Array<{ name: string; type: 'Semaphore' | 'BoundedSemaphore'; value: number | null; held: number }>
  events: Array<{ name: string; set: boolean }>
  dicts: Array<{ name: string; size: number }>
}

/** Messages in a list and the tasks their headers count (at most `ARGV[1]` messages read). */
const COUNT_TASKS = new Script(`
local msgs = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local tasks = 0
for _, msg in ipairs(msgs) do
  local count = string.match(msg, '^%d+ %d+ (%d+) ')
  if count then tasks = tasks + tonumber(count) end
end
return {redis.call('LLEN', KEYS[1]), tasks}`)

/**
 * What the namespace holds now (a snapshot: others may change it meanwhile).
 *
 * @example const status = await namespaceStatus(await openConnection({ url, namespace: 'app' }))
 */
export async function namespaceStatus(conn: ClusterConnection): Promise<NamespaceStatus> {
  const keys = await namespaceKeys(conn)
  const names = objectNames(conn.namespace, keys)
  const redis = conn.redis
  const key = (type: ClusterType, name: string, ...parts: string[]): string => conn.key(type, name, ...parts)
  const clients = keys.filter((k) => k.startsWith(`${conn.namespace}:client:`))
  const clientStates = clients.length === 0 ? [] : await redis.mget(...clients)
  const status: NamespaceStatus = {
    namespace: conn.namespace, keys: keys.length, clientsAlive: clientStates.filter((v) => v === 'alive').length,
    pools: [], queues: [], locks: [], semaphores: [], events: [], dicts: [],
  }
  for (const name of names.get('Pool') ?? []) {
    const k = new PoolKeys(key('Pool', name, ''))
    const registered = await redis.hgetall(k.workers)
    const workers: WorkerStatus[] = []
    for (const [id, concurrency] of Object.entries(registered)) {
      const [messages, tasks] = await COUNT_TASKS.run(redis, [k.inflight(id)], [10_000]) as [number, number]
      workers.push({ id, concurrency: Number(concurrency), alive: (await redis.exists(k.alive(id))) === 1, inFlight: { messages, tasks } })
    }
    const [messages, tasks] = await COUNT_TASKS.run(redis, [k.tasks], [10_000]) as [number, number]
    status.pools.push({ name, workers, backlog: { messages, tasks }, dead: await redis.llen(k.dead) })
  }
  for (const type of ['Queue', 'JoinableQueue'] as const) {
    for (const name of names.get(type) ?? []) {
      status.queues.push({
        name, type,
        items: Number(await QSIZE.run(redis, [key(type, name)], [])),
        closed: (await redis.exists(key(type, name, 'closed'))) === 1,
        unfinished: Number(await redis.get(key(type, name, 'unfinished')) ?? 0),
        getsInFlight: await countInFlight(redis, key(type, name, 'inflight')),
      })
    }
  }
  for (const type of ['Lock', 'RLock'] as const) {
    for (const name of names.get(type) ?? []) {
      const ttl = await redis.pttl(key(type, name))
      status.locks.push({ name, type, held: ttl !== -2, leaseLeftMs: ttl >= 0 ? ttl : null })
    }
  }
  for (const type of ['Semaphore', 'BoundedSemaphore'] as const) {
    for (const name of names.get(type) ?? []) {
      const value = await redis.get(key(type, name, 'value'))
      status.semaphores.push({ name, type, value: value === null ? null : Number(value), held: await redis.zcard(key(type, name)) })
    }
  }
  for (const name of names.get('Event') ?? []) status.events.push({ name, set: (await redis.exists(key('Event', name))) === 1 })
  for (const name of names.get('dict') ?? []) status.dicts.push({ name, size: await redis.hlen(key('dict', name)) })
  return status
}

/** Gets whose in-flight list holds an item now (one being handed over, or a dead getter's not yet put back). */
async function countInFlight(redis: Redis, registry: string): Promise<number> {
  const lists = await redis.hkeys(registry)
  let n = 0
  for (const list of lists) if (await redis.llen(list) > 0) n++
  return n
}

/**
 * Deletes every key of the namespace (UNLINK, in batches); returns how many.
 * Keys written meanwhile by programs still using it may survive: stop them first.
 *
 * @example console.log(await purgeNamespace(conn), 'keys deleted')
 */
export async function purgeNamespace(conn: ClusterConnection): Promise<number> {
  const keys = await namespaceKeys(conn)
  let deleted = 0
  for (let i = 0; i < keys.length; i += 1000) deleted += await conn.redis.unlink(...keys.slice(i, i + 1000))
  return deleted
}

/** Every key of the namespace. */
export function namespaceKeys(conn: ClusterConnection): Promise<string[]> {
  return scanKeys(conn.redis, `${globEscape(conn.namespace)}:*`)
}

/** The names of the objects of each type that `keys` belong to. */
function objectNames(namespace: string, keys: string[]): Map<ClusterType, string[]> {
  const out = new Map<ClusterType, Set<string>>()
  for (const k of keys) {
    const rest = k.slice(namespace.length + 1)
    const colon = rest.indexOf(':')
    const type = rest.slice(0, colon) as ClusterType
    if (colon < 0 || !(CLUSTER_TYPES as readonly string[]).includes(type)) continue
    const name = nameOf(type, rest.slice(colon + 1))
    if (name === undefined || name === '') continue
    let set = out.get(type)
    if (set === undefined) out.set(type, (set = new Set()))
    set.add(name)
  }
  return new Map([...out].map(([type, set]) => [type, [...set].sort()]))
}

/** The object name a key's `name[:part]` belongs to; undefined for a key that names none (a pool's). */
function nameOf(type: ClusterType, rest: string): string | undefined {
  if (type === 'Pool') {
    const m = /^(.+):(?:tasks|workers|dead|alive:.+|inflight:.+|reply:.+)$/.exec(rest)
    return m?.[1]
  }
  if (type === 'Queue' || type === 'JoinableQueue') {
    const m = /^(.+):inflight:.+:\d+$/.exec(rest)
    if (m !== null) return m[1]
  }
  for (const part of KEY_PARTS[type]) if (rest.endsWith(`:${part}`)) return rest.slice(0, -part.length - 1)
  return rest
}
