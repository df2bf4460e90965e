/**
 * Lock benchmarks (rows 1–3):
 * - uncontended `acquireSync(); release()` vs Python `multiprocessing.Lock`;
 * - uncontended `await acquire(); release()` vs `async-mutex` Mutex;
 * - a lock contended by 2 processes vs Python with 2 processes.
 *
 * Method: the JS loops live in functions (so V8 optimizes them); one warm-up
 * round, then the median of ROUNDS. The contended bench starts 2 `Process`es
 * per round, waits until both are ready, then times from the shared start
 * `Event` to the later child's end (CLOCK_MONOTONIC, shared by processes),
 * excluding start-up; the counter must come out exact.
 *
 * @example
 * // npx tsx bench/lock.ts
 * import { benchLock } from './lock.ts'
 * console.table(await benchLock())
 */
import { Mutex } from 'async-mutex'
import { Event, Lock, Process, RawArray, RawValue, isMainProcess } from '../src/index.js'
import { isEntry, median, medianOfAsync, monoNs, pause, printRows, runPython } from './harness.ts'
import { lockWorker } from './targets.ts'
import type { BenchRow } from './row.ts'

const SYNC_N = 10_000_000
const ASYNC_N = 1_000_000
const MUTEX_N = 200_000
const CONTENDED_N = 1_000_000
const PY_UNCONTENDED_N = 2_000_000
const PY_CONTENDED_N = 500_000
const ROUNDS = 5
const PROCESS_ROUNDS = 3

function syncLoop(lock: Lock, n: number): number {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    lock.acquireSync()
    lock.release()
  }
  return ((performance.now() - t) * 1e6) / n
}

async function asyncLoop(lock: Lock, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    await lock.acquire()
    lock.release()
  }
  return ((performance.now() - t) * 1e6) / n
}

async function mutexLoop(m: Mutex, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    const release = await m.acquire()
    release()
  }
  return ((performance.now() - t) * 1e6) / n
}

/** One round of the contended bench: ns per acquire/increment/release. */
async function contendedRound(n: number): Promise<number> {
  const lock = new Lock()
  const counter = new RawValue('i', 0)
  const ready = new RawValue('i', 0)
  const start = new Event()
  const ends = new RawArray('d', 2)
  const ps = [0, 1].map((slot) => new Process({ target: lockWorker, args: [lock, counter, ready, start, ends, slot, n] }))
  for (const p of ps) await p.start()
  while (ready.value < 2) await pause(1)
  await pause(10)
  const t0 = monoNs()
  start.set()
  for (const p of ps) await p.join()
  if (counter.value !== 2 * n) throw new Error(`contended lock: count ${counter.value}, expected ${2 * n}`)
  for (const p of ps) if (p.exitCode !== 0) throw new Error(`contended lock: a child exited ${p.exitCode}`)
  return (Math.max(ends.get(0), ends.get(1)) - t0) / (2 * n)
}

/**
 * Runs the lock benchmarks and returns their rows.
 *
 * @example
 * import { benchLock } from './lock.ts'
 * for (const row of await benchLock()) console.log(row.name, row.skein / row.peer)
 */
export async function benchLock(): Promise<BenchRow[]> {
  const lock = new Lock()
  // Alternate skein and Python rounds, so drift in the machine's load hits both.
  syncLoop(lock, SYNC_N)
  const syncs: number[] = []
  const pys: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    syncs.push(syncLoop(lock, SYNC_N))
    pys.push(runPython<{ ns_per_op: number }>('lock.py', ['uncontended', PY_UNCONTENDED_N, 1]).ns_per_op)
  }
  const sync = median(syncs)
  const pySync = median(pys)

  const asyncNs = await medianOfAsync(ROUNDS, () => asyncLoop(lock, ASYNC_N))
  const mutex = new Mutex()
  const mutexNs = await medianOfAsync(ROUNDS, () => mutexLoop(mutex, MUTEX_N))

  const rounds: number[] = []
  await contendedRound(CONTENDED_N / 10) // warm-up: both children, the spare
  for (let r = 0; r < PROCESS_ROUNDS; r++) {
    await pause(700) // the warm spare refills in the background: let it finish first
    rounds.push(await contendedRound(CONTENDED_N))
  }
  await pause(700)
  const py = runPython<{ ns_per_op: number; count_ok: boolean }>('lock.py', ['contended', PY_CONTENDED_N, PROCESS_ROUNDS])
  if (!py.count_ok) throw new Error('Python contended lock: wrong count')

  return [
    { name: 'Lock acquireSync+release, uncontended', skein: sync, peer: pySync, peerName: 'Python multiprocessing.Lock', unit: 'ns/op', goal: '<= 0.5x', limit: 0.5 },
    { name: 'Lock await acquire+release, uncontended', skein: asyncNs, peer: mutexNs, peerName: 'async-mutex Mutex', unit: 'ns/op', goal: '<= 0.1x', limit: 0.1 },
    { name: 'Lock contended by 2 processes, per op', skein: median(rounds), peer: py.ns_per_op, peerName: 'Python multiprocessing.Lock, 2 processes', unit: 'ns/op', goal: '<= 0.5x', limit: 0.5 },
  ]
}

if (isMainProcess() && isEntry(import.meta.url)) printRows(await benchLock())
