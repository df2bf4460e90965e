/**
 * Manager dict benchmarks: a `SharedDict` made by a `Manager` against
 * Python's `Manager().dict()` (a server process answering over a socket).
 *
 * - set from the parent: N x `await d.set('k', i)` vs N x `d['k'] = i`;
 * - set + get from a child process: the child, handed the dict, does
 *   N x (`await d.set('k', i)`; `await d.get('k')`) and times itself (2 N
 *   ops), excluding its start-up; Python's child does the same on its proxy.
 *
 * Method: one warm-up round, then the median of ROUNDS. The dict holds a
 * few keys (the small dicts people share); every write re-serializes it,
 * so a dict of many megabytes is slower (see docs/shared-state.md).
 *
 * @example
 * // npx tsx bench/manager.ts
 * import { benchManager } from './manager.ts'
 * console.table(await benchManager())
 */
import { Manager, Process, Value, isMainProcess, type SharedDict } from '../src/index.js'
import { isEntry, median, medianOfAsync, pause, printRows, runPython } from './harness.ts'
import type { BenchRow } from './row.ts'

const N = 200_000
const CHILD_N = 100_000
const PY_N = 20_000
const ROUNDS = 5
const CHILD_ROUNDS = 3

async function setLoop(d: SharedDict<string, number>, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) await d.set('k', i)
  return n / ((performance.now() - t) / 1e3)
}

/** Runs in the child: N set+get pairs, ops/s written to `out`. */
export async function setGetWorker(d: SharedDict<string, number>, n: number, out: Value<'d'>): Promise<void> {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    await d.set('k', i)
    await d.get('k')
  }
  out.value = (2 * n) / ((performance.now() - t) / 1e3)
}

async function childRound(d: SharedDict<string, number>, n: number): Promise<number> {
  const out = new Value('d', 0)
  const p = new Process({ target: setGetWorker, args: [d, n, out] })
  await p.start()
  await p.join()
  if (p.exitCode !== 0) throw new Error(`manager bench: the child exited ${p.exitCode}`)
  return out.value
}

/**
 * Runs the Manager dict benchmarks.
 *
 * @example
 * import { benchManager } from './manager.ts'
 * for (const row of await benchManager()) console.log(row.name, row.skein / row.peer)
 */
export async function benchManager(): Promise<BenchRow[]> {
  await using manager = await new Manager().start()
  const d = manager.dict<string, number>({ a: 1, b: 2, c: 3 })
  const parent = await medianOfAsync(ROUNDS, () => setLoop(d, N))
  await childRound(d, CHILD_N / 10)
  const child: number[] = []
  for (let r = 0; r < CHILD_ROUNDS; r++) {
    await pause(700) // let the warm spare finish booting: it would compete for the 2 CPUs
    child.push(await childRound(d, CHILD_N))
  }
  await pause(700)
  const pyParent = runPython<{ ops_per_s: number }>('manager.py', ['parent', PY_N, ROUNDS]).ops_per_s
  const pyChild = runPython<{ ops_per_s: number }>('manager.py', ['child', PY_N / 2, CHILD_ROUNDS]).ops_per_s
  return [
    { name: 'Manager dict set from the parent', skein: parent, peer: pyParent, peerName: 'Python Manager().dict()', unit: 'ops/s', goal: '>= 10x', limit: 10 },
    { name: 'Manager dict set + get from a child process', skein: median(child), peer: pyChild, peerName: 'Python Manager().dict()', unit: 'ops/s', goal: '>= 10x', limit: 10 },
  ]
}

if (isMainProcess() && isEntry(import.meta.url)) printRows(await benchManager())
