/**
 * Condition hand-off benchmark: a turn passed back and forth between two
 * processes through one Condition (the classic pattern: under the lock, wait
 * while it is not my turn, pass the turn, notify), against Python's
 * `multiprocessing.Condition` doing the same with a shared `Value`.
 *
 * The child (`conditionTurnWorker` in targets.ts) and the parent both use
 * the blocking forms (`acquireSync`, `waitSync`). A figure is ns per round
 * trip (two hand-offs: parent → child → parent).
 *
 * Method: per round a new child; the clock starts once it runs (ready
 * handshake), so process start-up is excluded; one warm-up round, then the
 * median of ROUNDS.
 *
 * @example
 * // npx tsx bench/condition.ts
 * import { benchCondition } from './condition.ts'
 * console.table(await benchCondition())
 */
import { Condition, Process, RawArray, RawValue, isMainProcess } from '../src/index.js'
import { isEntry, median, pause, printRows, runPython } from './harness.ts'
import { conditionTurnWorker } from './targets.ts'
import type { BenchRow } from './row.ts'

const N = 20_000
const PY_N = 5_000
const ROUNDS = 3

/** One round: ns per round trip. */
async function round(n: number): Promise<number> {
  const cond = new Condition()
  const turn = new RawArray('i', 1)
  const ready = new RawValue('i', 0)
  const p = new Process({ target: conditionTurnWorker, args: [cond, turn, ready, n] })
  await p.start()
  while (ready.value < 1) await pause(1)
  await pause(10)
  const t = turn.array
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    cond.acquireSync()
    t[0] = 1
    cond.notify()
    while (t[0] !== 0) cond.waitSync()
    cond.release()
  }
  const ns = ((performance.now() - start) * 1e6) / n
  await p.join()
  if (p.exitCode !== 0) throw new Error(`condition hand-off: the child exited ${p.exitCode}`)
  return ns
}

/**
 * Runs the Condition hand-off benchmark.
 *
 * @example
 * import { benchCondition } from './condition.ts'
 * for (const row of await benchCondition()) console.log(row.name, row.skein / row.peer)
 */
export async function benchCondition(): Promise<BenchRow[]> {
  await round(N / 10)
  const rounds: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    await pause(700) // let the warm spare finish booting: it would compete for the 2 CPUs
    rounds.push(await round(N))
  }
  await pause(700)
  const py = runPython<{ ns_per_op: number }>('condition.py', [PY_N, ROUNDS]).ns_per_op
  return [
    { name: 'Condition hand-off round trip, 2 processes (notify + waitSync both sides)', skein: median(rounds), peer: py, peerName: 'Python multiprocessing.Condition', unit: 'ns/op', goal: '<= 0.5x', limit: 0.5 },
  ]
}

if (isMainProcess() && isEntry(import.meta.url)) printRows(await benchCondition())
