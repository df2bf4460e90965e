/**
 * Producer/consumer across machines: the course's two producers and two
 * consumers, each a separate process with its own connection to Redis (as
 * on separate hosts), meeting on a cluster `Queue` by its name. The main
 * program puts one sentinel (null) per consumer once the producers are
 * done; each consumer reports what it ate on a second queue, and the main
 * program checks every item was eaten exactly once.
 *
 *   npx tsx examples/cluster-queue.ts
 */
import { Process } from 'skein'
import { connect } from 'skein/cluster'
import { isEntry } from './entry.js'
import { joinAll } from './join-all.js'
import { startLocalRedis } from './local-redis.js'

const NAMESPACE = 'cluster-queue'
const PER_PRODUCER = 9
/** The bound on every wait of the example (machines start and connect on a loaded machine too). */
const WAIT_MS = 60_000
/** How long a machine waits for Redis to answer: generous, as eight processes start at once on a possibly busy box. */
const CONNECT_MS = 20_000

type Food = [string, number] | null
/** A consumer's report: its name and what it ate. */
type Report = [string, string[]]

/** A producer machine: makes PER_PRODUCER of `food`, one every 20 ms. */
export async function producer(url: string, name: string, food: string): Promise<void> {
  const cluster = await connect({ url, namespace: NAMESPACE, connectTimeout: CONNECT_MS })
  try {
    const q = cluster.Queue<Food>('food')
    for (let i = 0; i < PER_PRODUCER; i++) {
      await q.put([food, i])
      console.log(`  ${name} made ${food} #${i}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  } finally {
    await cluster.close()
  }
}

/** A consumer machine: eats until the sentinel, then reports what it ate. */
export async function consumer(url: string, name: string): Promise<void> {
  const cluster = await connect({ url, namespace: NAMESPACE, connectTimeout: CONNECT_MS })
  try {
    const q = cluster.Queue<Food>('food')
    const ate: string[] = []
    // Bounded: if the producers or the main program never get that far, this machine says so instead of waiting for ever.
    for (let item = await q.get({ timeout: WAIT_MS }); item !== null; item = await q.get({ timeout: WAIT_MS })) {
      console.log(`  ${name} ate ${item[0]} #${item[1]}`)
      ate.push(`${item[0]} #${item[1]}`)
    }
    await cluster.Queue<Report>('reports').put([name, ate])
  } finally {
    await cluster.close()
  }
}

/** Items eaten, distinct items among them, and per consumer — or why the example was skipped. */
export type ClusterQueueResult = { eaten: number; distinct: number; byConsumer: Record<string, number> } | { skipped: string }

export async function main(): Promise<ClusterQueueResult> {
  const redis = await startLocalRedis()
  if (redis === undefined) {
    console.log('skipped: redis-server is not installed (apt-get install redis-server)')
    return { skipped: 'redis-server is not installed' }
  }
  const cluster = await connect({ url: redis.url, namespace: NAMESPACE })
  try {
    const producers = [['tank', 'youtiao'], ['farmer', 'bamboo rat']].map(([name, food]) =>
      new Process({ target: producer, args: [redis.url, name!, food!], name: `${name} (producer machine)` }))
    const consumers = ['egon', 'jason'].map((name) => new Process({ target: consumer, args: [redis.url, name], name: `${name} (consumer machine)` }))
    for (const p of [...consumers, ...producers]) await p.start()
    await joinAll(producers, WAIT_MS, 'producers')
    const q = cluster.Queue<Food>('food')
    for (const _ of consumers) await q.put(null) // one sentinel per consumer
    await joinAll(consumers, WAIT_MS, 'consumers')
    const reports = cluster.Queue<Report>('reports')
    const byConsumer: Record<string, number> = {}
    const all: string[] = []
    for (const _ of consumers) {
      const [name, ate] = await reports.get({ timeout: 10_000 })
      byConsumer[name] = ate.length
      all.push(...ate)
    }
    const distinct = new Set(all).size
    console.log(`main: ${all.length} items eaten (${distinct} distinct) — ${Object.entries(byConsumer).map(([n, k]) => `${n} ${k}`).join(', ')}`)
    if (all.length !== 2 * PER_PRODUCER || distinct !== all.length) throw new Error(`expected ${2 * PER_PRODUCER} items each eaten once, got ${all.length} (${distinct} distinct)`)
    return { eaten: all.length, distinct, byConsumer }
  } finally {
    await cluster.close()
    await redis.stop()
  }
}

if (isEntry(import.meta.url)) await main()
