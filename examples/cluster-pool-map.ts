/**
 * A map over two workers on two "machines": each machine is a separate
 * process running `runWorker` — what `npx skein worker --redis URL --pool
 * primes` runs on a real host — and the main program maps a CPU-bound task
 * over a cluster `Pool` of the same name, in chunks of 5 ranges, with a
 * progress bar (on a terminal) as the chunks come back. The workers import
 * this module themselves to find the task, as they would on another host
 * with the same code deployed.
 *
 *   npx tsx examples/cluster-pool-map.ts
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Process } from 'skein'
import { connect, runWorker } from 'skein/cluster'
import { isEntry } from './entry.js'
import { startLocalRedis } from './local-redis.js'

const NAMESPACE = 'cluster-pool-map'
const POOL = 'primes'
const STEP = 20_000
/** Ranges per task sent to a worker. */
const CHUNK = 5
const STARTS = Array.from({ length: 100 }, (_, i) => i * STEP)
/** π(2,000,000): the primes below STARTS.length × STEP. */
const PRIMES_BELOW_2M = 148_933
/** How long the map may take (a few seconds on a quiet machine). */
const MAP_BOUND_MS = 120_000

/** Counts the primes in [from, from + 20,000) by trial division, and says which machine did it. */
export function primesIn(from: number): { count: number; machine: string } {
  let count = 0
  for (let n = Math.max(2, from); n < from + STEP; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break }
    if (prime) count++
  }
  return { count, machine: process.env.SKEIN_EXAMPLE_MACHINE ?? 'unknown' }
}

/** A worker machine: runs the pool's tasks (2 at a time) until SIGTERM, like `npx skein worker`. */
export async function workerMachine(url: string, machine: string): Promise<void> {
  process.env.SKEIN_EXAMPLE_MACHINE = machine // inherited by the worker's task processes
  const stop = new AbortController()
  process.once('SIGTERM', () => stop.abort())
  // A worker serves only task modules under its root: here, this example's folder (wherever the tour runs from).
  await runWorker({ url, namespace: NAMESPACE, pool: POOL, concurrency: 2, signal: stop.signal, root: dirname(fileURLToPath(import.meta.url)), connectTimeout: 20_000 })
}

/** Primes found, and how many chunks each machine ran — or why the example was skipped. */
export type ClusterPoolMapResult = { primes: number; tasksByMachine: Record<string, number> } | { skipped: string }

export async function main(): Promise<ClusterPoolMapResult> {
  const redis = await startLocalRedis()
  if (redis === undefined) {
    console.log('skipped: redis-server is not installed (apt-get install redis-server)')
    return { skipped: 'redis-server is not installed' }
  }
  const machines = ['machine1', 'machine2'].map((name) => new Process({ target: workerMachine, args: [redis.url, name], name }))
  const cluster = await connect({ url: redis.url, namespace: NAMESPACE })
  try {
    for (const m of machines) await m.start()
    const pool = cluster.Pool({ name: POOL })
    const t = performance.now()
    // Bounded: if no worker machine comes up, the map says so instead of waiting for ever.
    const results = await pool.mapAsync(primesIn, STARTS, { chunksize: CHUNK, progress: true }).get(MAP_BOUND_MS) // the bar is drawn on a terminal only
    const seconds = (performance.now() - t) / 1000
    pool.close()
    await pool.join()
    const primes = results.reduce((sum, r) => sum + r.count, 0)
    const tasksByMachine: Record<string, number> = {}
    for (const r of results) tasksByMachine[r.machine] = (tasksByMachine[r.machine] ?? 0) + 1
    console.log(`primes below ${(STARTS.length * STEP).toLocaleString()}: ${primes} in ${seconds.toFixed(2)} s` +
      ` — ranges counted per machine: ${Object.entries(tasksByMachine).map(([m, n]) => `${m} ${n}`).join(', ')}`)
    if (primes !== PRIMES_BELOW_2M) throw new Error(`counted ${primes} primes; there are ${PRIMES_BELOW_2M}`)
    return { primes, tasksByMachine }
  } finally {
    for (const m of machines) if (m.isAlive()) m.terminate()
    for (const m of machines) await m.join(10_000)
    for (const m of machines) if (m.isAlive()) m.kill()
    await cluster.close()
    await redis.stop()
  }
}

if (isEntry(import.meta.url)) await main()
