/**
 * The cluster Pool against BullMQ (what a Node user runs today for jobs on
 * Redis), on one private redis-server started here, in the same run:
 * - `pool.map` of 20,000 tiny tasks (default chunksize: chunks, not one
 *   message per item) vs BullMQ `Queue.addBulk` of 20,000 jobs — goal >= 10x;
 * - `pool.apply` of 5,000 tasks one call each, all in flight, vs BullMQ
 *   `queue.add` of 5,000 jobs, all in flight — goal >= 2x.
 * Both sides run on 2 worker processes: `skein worker --concurrency 2`
 * (one worker, two local processes) vs two processes each running a BullMQ
 * `Worker` (in-process processor, `concurrency: 16`: BullMQ is latency-bound
 * per job, so it gets more jobs in flight than skein's 2). Completion on the
 * BullMQ side is counted from `QueueEvents` 'completed' (how a producer
 * learns of results there); jobs are removed on completion. Each figure is
 * the median of ROUNDS after a warm-up. Skipped, with a line saying so,
 * when redis-server is not installed.
 *
 * @example
 * // npx tsx bench/cluster-pool.ts
 * import { benchClusterPool } from './cluster-pool.ts'
 * console.table(await benchClusterPool())
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { Queue, QueueEvents, Worker } from 'bullmq'
import { connect } from '../src/cluster/index.js'
import { startLocalRedis } from '../examples/local-redis.ts'
import { isEntry, median, pause, printRows } from './harness.ts'
import { square } from './pool-targets.ts'
import type { BenchRow } from './row.ts'

const MAP_N = 20_000
const APPLY_N = 5_000
const ROUNDS = 3
const PROCESSES = 2
const BULLMQ_CONCURRENCY = 16
const cli = new URL('../src/cli.ts', import.meta.url).pathname
const self = new URL(import.meta.url).pathname

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM') })
}

async function rate(n: number, run: () => Promise<unknown>): Promise<number> {
  await run()
  const all: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now()
    await run()
    all.push(n / ((performance.now() - t) / 1000))
  }
  return median(all)
}

async function skeinRates(url: string): Promise<{ map: number; apply: number }> {
  const worker = start([cli, 'worker', '--redis', url, '--pool', 'bench', '--namespace', 'bench', '--concurrency', String(PROCESSES), '--root', new URL('..', import.meta.url).pathname])
  const cluster = await connect({ url, namespace: 'bench' })
  try {
    const pool = cluster.Pool({ name: 'bench' })
    const items = Array.from({ length: MAP_N }, (_, i) => i)
    await pool.map(square, [1, 2, 3, 4], { chunksize: 1 })
    const map = await rate(MAP_N, () => pool.map(square, items))
    const apply = await rate(APPLY_N, () => {
      const all = new Array<Promise<number>>(APPLY_N)
      for (let i = 0; i < APPLY_N; i++) all[i] = pool.apply(square, [i])
      return Promise.all(all)
    })
    pool.close()
    await pool.join()
    return { map, apply }
  } finally {
    await cluster.close()
    await stop(worker)
  }
}

async function bullmqRates(url: string): Promise<{ map: number; apply: number }> {
  const { hostname, port } = new URL(url)
  const connection = { host: hostname, port: Number(port) }
  const workers = Array.from({ length: PROCESSES }, () => start([self, 'bullmq-worker', url]))
  // The events stream must hold a whole round's events (10,000 by default), or QueueEvents misses completions.
  const queue = new Queue('bench', { connection, streams: { events: { maxLen: 4 * MAP_N } }, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } })
  const events = new QueueEvents('bench', { connection })
  await events.waitUntilReady()
  let completed = 0
  let wake: (() => void) | undefined
  events.on('completed', () => { completed++; wake?.() })
  const until = async (n: number) => {
    const end = performance.now() + 120_000
    while (completed < n) {
      if (performance.now() > end) throw new Error(`BullMQ: ${completed} of ${n} completions seen in 120 s`)
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 1000) })
    }
  }
  try {
    const bulk = async (n: number) => {
      completed = 0
      await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'square', data: i })))
      await until(n)
    }
    await bulk(100)
    const map = await rate(MAP_N, () => bulk(MAP_N))
    const apply = await rate(APPLY_N, async () => {
      completed = 0
      const all = new Array<Promise<unknown>>(APPLY_N)
      for (let i = 0; i < APPLY_N; i++) all[i] = queue.add('square', i)
      await Promise.all(all)
      await until(APPLY_N)
    })
    return { map, apply }
  } finally {
    await events.close()
    await queue.close()
    await Promise.all(workers.map(stop))
  }
}

/** One BullMQ worker process (`bench/cluster-pool.ts bullmq-worker URL`), until SIGTERM. */
async function bullmqWorker(url: string): Promise<void> {
  const { hostname, port } = new URL(url)
  const worker = new Worker('bench', async (job) => square(job.data as number), { connection: { host: hostname, port: Number(port), maxRetriesPerRequest: null }, concurrency: BULLMQ_CONCURRENCY })
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()))
  await worker.close()
}

/**
 * Runs the cluster pool rows (none, with a line saying why, without redis-server).
 *
 * @example
 * import { benchClusterPool } from './cluster-pool.ts'
 * for (const row of await benchClusterPool()) console.log(row.name, row.skein / row.peer)
 */
export async function benchClusterPool(): Promise<BenchRow[]> {
  const redis = await startLocalRedis()
  if (redis === undefined) {
    console.error('cluster-pool: skipped — redis-server is not installed (apt-get install redis-server)')
    return []
  }
  try {
    const skein = await skeinRates(redis.url)
    await pause(500)
    const bull = await bullmqRates(redis.url)
    const peer = `BullMQ ${PROCESSES} worker processes × concurrency ${BULLMQ_CONCURRENCY}`
    return [
      { name: `cluster Pool.map of ${MAP_N.toLocaleString()} tiny tasks (chunks), worker with ${PROCESSES} processes`, skein: skein.map, peer: bull.map, peerName: `${peer}, Queue.addBulk (a job per task)`, unit: 'ops/s', goal: '>= 10x BullMQ', limit: 10 },
      { name: `cluster Pool.apply, ${APPLY_N.toLocaleString()} tasks all in flight, worker with ${PROCESSES} processes`, skein: skein.apply, peer: bull.apply, peerName: `${peer}, queue.add per job, all in flight`, unit: 'ops/s', goal: '>= 2x BullMQ', limit: 2 },
    ]
  } finally {
    await redis.stop()
  }
}

if (isEntry(import.meta.url)) {
  if (process.argv[2] === 'bullmq-worker') await bullmqWorker(process.argv[3]!)
  else printRows(await benchClusterPool())
}
