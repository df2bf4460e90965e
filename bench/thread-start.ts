/**
 * Thread start benchmark: `new Thread({ target: noop })`, `await start()`,
 * `await join()`, back to back, against a bare `worker_threads` `Worker`
 * (an empty eval script) started until its exit, and Python's
 * `threading.Thread` start()+join(); and 100 Threads started one after
 * another, then all joined, against the same in Python.
 *
 * Method: warm-up first (the first Thread boots a warm worker; later ones
 * reuse it), then COUNT sequential start+joins, median; the 100-thread
 * figure is the median of ROUNDS rounds. The bare Worker figure is the
 * median of WORKER_COUNT. An information row gives a cold start
 * (`fresh: true`: a newly booted worker per Thread) against the bare Worker,
 * so the cost of booting skein in a worker stays visible. This bench runs
 * under tsx, as `npm run bench` does: workers then carry tsx's loader,
 * registered once per worker (the bare Worker loads none).
 *
 * @example
 * // npx tsx bench/thread-start.ts
 * import { benchThreadStart } from './thread-start.ts'
 * console.table(await benchThreadStart())
 */
import { Worker } from 'node:worker_threads'
import { Thread, isMainProcess, isMainThread } from '../src/index.js'
import { isEntry, median, pause, printRows, runPython } from './harness.ts'
import { noop } from './targets.ts'
import type { BenchRow } from './row.ts'

const COUNT = 200
const ROUNDS = 7
const WORKER_COUNT = 15
const FRESH_COUNT = 5

async function threadOnce(fresh = false): Promise<number> {
  const t = performance.now()
  const th = new Thread({ target: noop, fresh })
  await th.start()
  await th.join()
  const ms = performance.now() - t
  if (th.exitCode !== 0) throw new Error(`no-op Thread exited ${th.exitCode}`)
  return ms * 1e6
}

async function hundredOnce(): Promise<number> {
  const t = performance.now()
  const threads = Array.from({ length: 100 }, () => new Thread({ target: noop }))
  for (const th of threads) await th.start()
  for (const th of threads) await th.join()
  const ms = performance.now() - t
  if (threads.some((th) => th.exitCode !== 0)) throw new Error('a no-op Thread failed')
  return ms * 1e6
}

function workerOnce(): Promise<number> {
  const t = performance.now()
  const w = new Worker('', { eval: true })
  return new Promise((resolve, reject) => {
    w.once('error', reject)
    w.once('exit', (code) => (code === 0 ? resolve((performance.now() - t) * 1e6) : reject(new Error(`Worker exited ${code}`))))
  })
}

async function series(count: number, once: () => Promise<number>, warmups = 3): Promise<number> {
  for (let i = 0; i < warmups; i++) await once()
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push(await once())
  return median(out)
}

/**
 * Runs the thread start benchmark.
 *
 * @example
 * import { benchThreadStart } from './thread-start.ts'
 * for (const row of await benchThreadStart()) console.log(row.name, row.skein / row.peer)
 */
export async function benchThreadStart(): Promise<BenchRow[]> {
  const worker = await series(WORKER_COUNT, workerOnce, 1)
  const thread = await series(COUNT, () => threadOnce())
  const hundred = await series(ROUNDS, hundredOnce, 1)
  const cold = await series(FRESH_COUNT, () => threadOnce(true), 1)
  await pause(200)
  const py = runPython<{ start_join_ns: number; hundred_ns: number }>('thread_start.py', [COUNT, ROUNDS])
  return [
    { name: 'Thread start+join, no-op, back to back', skein: thread, peer: worker, peerName: 'bare worker_threads Worker start+exit', unit: 'ns/op', goal: '<= 0.05x', limit: 0.05 },
    { name: 'Thread start+join, no-op, back to back', skein: thread, peer: py.start_join_ns, peerName: 'Python threading.Thread', unit: 'ns/op', goal: '<= 10x', limit: 10 },
    { name: '100 Threads started, then joined', skein: hundred, peer: py.hundred_ns, peerName: 'Python threading.Thread ×100', unit: 'ns/op', goal: '<= 20x', limit: 20 },
    { name: 'Thread start+join on a new worker (fresh: true, cold, tsx)', skein: cold, peer: worker, peerName: 'bare worker_threads Worker start+exit', unit: 'ns/op', goal: 'information' },
  ]
}

if (isMainProcess() && isMainThread() && isEntry(import.meta.url)) printRows(await benchThreadStart())
