/**
 * Pools, side by side with their peers (issue "Pools and executors"):
 * - ThreadPool(2), 100,000 tiny tasks all in flight (`apply`), vs piscina
 *   (2 threads) — goal >= 10x its throughput; tinypool, workerpool and
 *   poolifier (2 threads each) on rows of their own, for the record;
 * - Pool(2) `applyAsync(…).get()` one after another vs Python's
 *   `Pool(2).apply_async(…).get()` — goal >= 4x;
 * - Pool(2).map with the default chunksize vs Python's — goal >= 1x;
 * - a CPU-bound map on Pool(2) vs Pool(1) (the speed-up; goal >= 1.8x),
 *   Python's speed-up on the same work shown beside it;
 * - Pool(2): how long a result takes from its task's end to the caller
 *   when many 20 ms tasks are queued at once (so they travel in batches):
 *   goal <= 5 ms (median), Python's Pool(2) shown beside it.
 * Each figure is the median of 3 rounds (5 for skein's CPU-bound row); workers
 * are up before the clock runs;
 * the CPU-bound rounds of Pool(1) and Pool(2) alternate.
 *
 * @example
 * // npx tsx bench/pool.ts
 * import { benchPool } from './pool.ts'
 * console.table(await benchPool())
 */
import { Piscina } from 'piscina'
import { Tinypool } from 'tinypool'
import workerpool from 'workerpool'
import { FixedThreadPool } from 'poolifier'
import { Pool, ThreadPool, isMainProcess, isMainThread } from '../src/index.js'
import { isEntry, median, printRows, runPython } from './harness.ts'
import { primesIn, spinMs, square } from './pool-targets.ts'
import type { BenchRow } from './row.ts'

const IN_FLIGHT = 100_000
const PEER_IN_FLIGHT = 50_000
const ROUNDTRIPS = 3_000
const MAP_N = 100_000
const CPU_STARTS = 120
const PY_CPU_STARTS = 16
const ROUNDS = 3
/** The CPU-bound rows are the noisiest (two busy workers on a shared 2-CPU box): more rounds, alternating. */
const CPU_ROUNDS = 5
/** The delay row: this many tasks of DELAY_MS, queued at once. */
const DELAY_TASKS = 60
const DELAY_MS = 20
const peers = new URL('./pool-peers/', import.meta.url)

async function throughput(n: number, submit: (i: number) => Promise<unknown>): Promise<number> {
  const all: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now()
    const pending = new Array<Promise<unknown>>(n)
    for (let i = 0; i < n; i++) pending[i] = submit(i)
    await Promise.all(pending)
    all.push(n / ((performance.now() - t) / 1000))
  }
  return median(all)
}

async function threadRows(): Promise<BenchRow[]> {
  const tp = new ThreadPool({ threads: 2 })
  await tp.map(square, [1, 2, 3, 4])
  const skein = await throughput(IN_FLIGHT, (i) => tp.apply(square, [i]))
  tp.close()
  await tp.join()

  const piscina = new Piscina({ filename: new URL('square.mjs', peers).href, minThreads: 2, maxThreads: 2 })
  await Promise.all([1, 2].map((x) => piscina.run(x)))
  const pis = await throughput(IN_FLIGHT, (i) => piscina.run(i))
  await piscina.destroy()

  const tiny = new Tinypool({ filename: new URL('square.mjs', peers).href, minThreads: 2, maxThreads: 2 })
  await Promise.all([1, 2].map((x) => tiny.run(x)))
  const tin = await throughput(PEER_IN_FLIGHT, (i) => tiny.run(i))
  await tiny.destroy()

  const wp = workerpool.pool(new URL('square-workerpool.cjs', peers).pathname, { minWorkers: 2, maxWorkers: 2, workerType: 'thread' })
  await Promise.all([1, 2].map((x) => wp.exec('square', [x])))
  const wpo = await throughput(PEER_IN_FLIGHT, (i) => wp.exec('square', [i]) as unknown as Promise<unknown>)
  await wp.terminate()

  const pf = new FixedThreadPool(2, new URL('square-poolifier.mjs', peers).pathname)
  await Promise.all([1, 2].map((x) => pf.execute(x)))
  const pfo = await throughput(PEER_IN_FLIGHT, (i) => pf.execute(i))
  await pf.destroy()

  const row = (peer: number, peerName: string, goal: string, limit?: number): BenchRow => ({ name: 'ThreadPool(2): tiny tasks, all in flight (apply)', skein, peer, peerName, unit: 'ops/s', goal, limit })
  return [
    row(pis, `piscina (2 threads), ${IN_FLIGHT.toLocaleString()} in flight`, '>= 10x piscina', 10),
    row(tin, `tinypool (2 threads), ${PEER_IN_FLIGHT.toLocaleString()} in flight`, 'for the record'),
    row(wpo, `workerpool (2 threads), ${PEER_IN_FLIGHT.toLocaleString()} in flight`, 'for the record'),
    row(pfo, `poolifier FixedThreadPool(2), ${PEER_IN_FLIGHT.toLocaleString()} in flight`, 'for the record'),
  ]
}

async function processRows(): Promise<BenchRow[]> {
  const pool = new Pool({ processes: 2 })
  await pool.map(square, [1, 2, 3, 4])
  const rt: number[] = []
  const mp: number[] = []
  const items = Array.from({ length: MAP_N }, (_, i) => i)
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now()
    for (let i = 0; i < ROUNDTRIPS; i++) await pool.applyAsync(square, [i]).get()
    rt.push(ROUNDTRIPS / ((performance.now() - t) / 1000))
    t = performance.now()
    await pool.map(square, items)
    mp.push(MAP_N / ((performance.now() - t) / 1000))
  }
  const late: number[] = []
  await pool.apply(spinMs, [1])
  for (let r = 0; r < ROUNDS; r++) late.push(await delay(pool))
  pool.close()
  await pool.join()
  // Pool(1) and Pool(2) rounds alternate, so a burst of load on the shared box hits both alike.
  const starts = Array.from({ length: CPU_STARTS }, (_, i) => i * 20_000)
  const pools = { 1: new Pool({ processes: 1 }), 2: new Pool({ processes: 2 }) }
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] }
  for (const p of Object.values(pools)) await p.map(primesIn, [0, 1])
  for (let r = 0; r < CPU_ROUNDS; r++) {
    for (const n of [1, 2] as const) {
      const t = performance.now()
      await pools[n].map(primesIn, starts)
      times[n].push(performance.now() - t)
    }
  }
  const cpu = { 1: median(times[1]), 2: median(times[2]) }
  for (const p of Object.values(pools)) {
    p.close()
    await p.join()
  }
  const py = runPython<{ roundtrip: number; map: number; speedup: number; delay: number }>('pool.py', [ROUNDTRIPS, MAP_N, PY_CPU_STARTS, ROUNDS, DELAY_TASKS, DELAY_MS])
  return [
    { name: 'Pool(2): applyAsync(…).get() one after another', skein: median(rt), peer: py.roundtrip, peerName: 'Python Pool(2).apply_async(…).get()', unit: 'ops/s', goal: '>= 4x Python', limit: 4 },
    { name: `Pool(2).map of ${MAP_N.toLocaleString()} tiny items, default chunksize`, skein: median(mp), peer: py.map, peerName: 'Python Pool(2).map, default chunksize', unit: 'ops/s', goal: '>= 1x Python', limit: 1 },
    { name: 'CPU-bound Pool.map, 2 processes vs 1 (speed-up)', skein: cpu[1] / cpu[2], peer: py.speedup, peerName: 'Python Pool(2) vs Pool(1), same work', unit: 'speed-up', goal: '>= 1.8x speed-up (absolute; Python for the record)', bound: 1.8 },
    { name: `Pool(2): a result's delay from its task's end to the caller, ${DELAY_TASKS} tasks of ${DELAY_MS} ms queued at once (median)`, skein: median(late) * 1e6, peer: py.delay * 1e6, peerName: 'Python Pool(2).apply_async(…, callback), same tasks', unit: 'ns/op', goal: '<= 5 ms (absolute; Python for the record)', bound: 5e6 },
  ]
}

/**
 * The median, over DELAY_TASKS tasks of DELAY_MS queued at once, of the
 * time from a task's end in its worker to its callback here (ms, on the
 * machine's monotonic clock, which every process shares).
 */
async function delay(pool: Pool): Promise<number> {
  const late: number[] = []
  await Promise.all(Array.from({ length: DELAY_TASKS }, () => new Promise<void>((resolve) => {
    pool.applyAsync(spinMs, [DELAY_MS], { callback: (end) => { late.push(Number(process.hrtime.bigint()) / 1e6 - end); resolve() } })
  })))
  return median(late)
}

/**
 * Runs the pool benchmarks.
 *
 * @example
 * import { benchPool } from './pool.ts'
 * for (const row of await benchPool()) console.log(row.name, row.skein, row.peer)
 */
export async function benchPool(): Promise<BenchRow[]> {
  return [...(await threadRows()), ...(await processRows())]
}

// `npx tsx bench/pool.ts process` runs only the Pool (process) rows, `… threads` only the ThreadPool rows.
if (isMainProcess() && isMainThread() && isEntry(import.meta.url)) {
  const only = process.argv[2]
  printRows(only === 'process' ? await processRows() : only === 'threads' ? await threadRows() : await benchPool())
}
