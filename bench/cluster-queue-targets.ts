/** Consumer processes of the cluster queue benchmark: take `n` items, then write when the last one arrived. */
import { Redis } from 'ioredis'
import type { Event, RawValue } from '../src/index.js'
import type { ClusterQueue } from '../src/cluster/index.js'
// Loaded here so a child has skein/cluster's modules when it revives the queue it is passed.
import '../src/cluster/index.js'

/** Gets `n` items from a cluster queue; `done` gets the wall-clock ms (timeOrigin-based) of the last. */
export async function clusterConsume(q: ClusterQueue<unknown>, n: number, ready: Event, done: RawValue<'d'>): Promise<void> {
  await q.get() // warm-up item: the connection and the blocking connection are open
  ready.set()
  for (let i = 0; i < n; i++) await q.get()
  done.value = performance.timeOrigin + performance.now()
}

/** The same with a plain ioredis BRPOP loop (items JSON, as such loops usually carry them). */
export async function brpopConsume(url: string, key: string, n: number, ready: Event, done: RawValue<'d'>): Promise<void> {
  const redis = new Redis(url)
  JSON.parse(String((await redis.brpop(key, 0))?.[1]))
  ready.set()
  for (let i = 0; i < n; i++) JSON.parse(String((await redis.brpop(key, 0))?.[1]))
  done.value = performance.timeOrigin + performance.now()
  redis.disconnect()
}
