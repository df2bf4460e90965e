/**
 * Cluster Queue benchmark: items per second through a skein cluster `Queue`
 * from one process to another (the parent puts, a child gets, each awaiting
 * every call, as a producer and a consumer loop do), against the plain loop
 * people write by hand on the same private redis-server: ioredis `LPUSH` of
 * JSON in the parent, `BRPOP` in the child.
 *
 * What the difference buys: skein's put is one script (closed? full? push,
 * count) and its get two (take into an in-flight list; hand over), so an
 * item killed mid-get is not lost and items are structured clones; the
 * plain loop loses the item a consumer dies holding.
 *
 * Method: a warm-up item (connections open), then N items; the figure is N
 * over the time from the first put to the child's last get; median of
 * ROUNDS, the two alternating. Redis without AOF (the default config).
 * Skipped with a line when redis-server is not installed.
 *
 * @example
 * // npx tsx bench/cluster-queue.ts
 * import { benchClusterQueue } from './cluster-queue.ts'
 * console.table(await benchClusterQueue())
 */
import { Redis } from 'ioredis'
import { Event, Process, RawValue } from '../src/index.js'
import { connect, type Cluster } from '../src/cluster/index.js'
import { startLocalRedis } from '../examples/local-redis.ts'
import { isEntry, median, printRows } from './harness.ts'
import type { BenchRow } from './row.ts'
import { brpopConsume, clusterConsume } from './cluster-queue-targets.ts'

const N = 5_000
const ROUNDS = 5
const item = (i: number) => ({ id: i, name: `job-${i}`, tags: ['a', 'b'] })

async function timed(start: (ready: Event, done: RawValue<'d'>) => Process, put: (i: number) => Promise<unknown>): Promise<number> {
  const ready = new Event()
  const done = new RawValue('d', 0)
  const child = start(ready, done)
  await child.start()
  await put(-1)
  if (!(await ready.wait(60_000))) throw new Error('the consumer did not start within 60 s')
  const t0 = performance.timeOrigin + performance.now()
  for (let i = 0; i < N; i++) await put(i)
  await child.join(120_000)
  if (child.exitCode !== 0) throw new Error(`the consumer exited with ${child.exitCode}`)
  return N / ((done.value - t0) / 1000)
}

async function skeinRound(cluster: Cluster, round: number): Promise<number> {
  const q = cluster.Queue(`bench-${round}`)
  return timed((ready, done) => new Process({ target: clusterConsume, args: [q, N, ready, done] }), (i) => q.put(item(i)))
}

async function brpopRound(url: string, redis: Redis, round: number): Promise<number> {
  const key = `bench:brpop-${round}`
  return timed((ready, done) => new Process({ target: brpopConsume, args: [url, key, N, ready, done] }), (i) => redis.lpush(key, JSON.stringify(item(i))))
}

/**
 * Runs the cluster queue benchmark; no rows when redis-server is missing.
 *
 * @example
 * import { benchClusterQueue } from './cluster-queue.ts'
 * for (const row of await benchClusterQueue()) console.log(row.name, row.skein / row.peer)
 */
export async function benchClusterQueue(): Promise<BenchRow[]> {
  const server = await startLocalRedis()
  if (server === undefined) {
    console.log('cluster-queue: skipped — redis-server is not installed (apt-get install redis-server)')
    return []
  }
  const cluster = await connect({ url: server.url, namespace: 'bench' })
  const plain = new Redis(server.url)
  try {
    const s: number[] = []
    const p: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        s.push(await skeinRound(cluster, round))
        p.push(await brpopRound(server.url, plain, round))
      } else {
        p.push(await brpopRound(server.url, plain, round))
        s.push(await skeinRound(cluster, round))
      }
    }
    return [{
      name: 'cluster Queue put → get between two processes (Redis, loopback), items/s',
      skein: median(s),
      peer: median(p),
      peerName: 'ioredis LPUSH / BRPOP loop (JSON)',
      unit: 'ops/s',
      goal: 'information',
    }]
  } finally {
    await cluster.close()
    plain.disconnect()
    await server.stop()
  }
}

if (isEntry(import.meta.url)) printRows(await benchClusterQueue())
