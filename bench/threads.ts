/**
 * Bonus row: a CPU-bound function on 2 `Thread`s against 1 (the speed-up),
 * against the same loop on Python threads, which share the GIL.
 *
 * The loop (`spin` in targets.ts, the same in python/threads.py) is N
 * iterations of `x = (x * 31 + i) % 1000003`; 1 thread runs N, 2 threads run
 * N/2 each. Threads start, then wait on a gate, so start-up is excluded;
 * the clock runs from opening the gate to the last join. speed-up =
 * time(1 thread) / time(2 threads), each the median of ROUNDS. The goal
 * (skein's speed-up >= 1.5x Python's) is ours; no issue sets one.
 *
 * @example
 * // npx tsx bench/threads.ts
 * import { benchThreads } from './threads.ts'
 * console.table(await benchThreads())
 */
import { Thread, isMainProcess, isMainThread } from '../src/index.js'
import { isEntry, median, printRows, runPython } from './harness.ts'
import { spin } from './targets.ts'
import type { BenchRow } from './row.ts'

const N = 200_000_000
const PY_N = 4_000_000
const ROUNDS = 3

async function timed(parts: number): Promise<number> {
  const out = new Int32Array(new SharedArrayBuffer(4 * parts))
  const gate = new Int32Array(new SharedArrayBuffer(4))
  const threads = Array.from({ length: parts }, (_, i) => new Thread({ target: spin, args: [N / parts, out, i, gate] }))
  for (const t of threads) await t.start()
  const t0 = performance.now()
  Atomics.store(gate, 0, 1)
  Atomics.notify(gate, 0)
  for (const t of threads) await t.join()
  return performance.now() - t0
}

/**
 * Runs the threads benchmark.
 *
 * @example
 * import { benchThreads } from './threads.ts'
 * for (const row of await benchThreads()) console.log(row.name, row.skein, row.peer)
 */
export async function benchThreads(): Promise<BenchRow[]> {
  const one: number[] = []
  const two: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    one.push(await timed(1))
    two.push(await timed(2))
  }
  const py = runPython<{ speedup: number }>('threads.py', [PY_N, ROUNDS])
  return [{ name: 'CPU-bound loop, 2 Threads vs 1 (speed-up)', skein: median(one) / median(two), peer: py.speedup, peerName: 'Python threading (GIL), same loop', unit: 'speed-up', goal: '>= 1.5x (ours)', limit: 1.5 }]
}

if (isMainProcess() && isMainThread() && isEntry(import.meta.url)) printRows(await benchThreads())
