/**
 * Process start benchmarks: `new Process({ target: noop })`, `await
 * start()`, `await join()`, the way users start processes — back to back,
 * no pauses — and 20 started at once then all joined. Peers: plain
 * `child_process.fork` of a no-op script (plain `node`, no loader) until its
 * exit, and Python's `multiprocessing` with the 'spawn' and 'fork' contexts.
 *
 * skein figures come from skein compiled to JS under plain `node`
 * (bench/process-plain.mjs: how a user ships it, the same runtime as the fork
 * peer) with the 'forkserver' start method; the 'spawn' method and tsx (this
 * bench's own runtime) are information rows. One more row says what a
 * forkserver child costs on allocation-heavy work against a spawned one
 * (timed inside the child: V8 runs single-threaded there).
 *
 * Each figure is a median: of single start+join times, or of round times for
 * the bursts. The fork server (and for 'spawn', the warm spare) is started
 * before the first measured start.
 *
 * @example
 * // npx tsx bench/process.ts
 * import { benchProcess } from './process.ts'
 * console.table(await benchProcess())
 */
import { execFileSync, fork } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { Process, isMainProcess } from '../src/index.js'
import { isEntry, median, pause, printRows, runPython } from './harness.ts'
import { compileSkein } from './compiled.ts'
import { noop } from './targets.ts'
import type { BenchRow } from './row.ts'

const COUNT = 21
const BURST = 20
const BURST_ROUNDS = 5
const NOOP_SCRIPT = fileURLToPath(new URL('./noop.mjs', import.meta.url))
const PLAIN_SCRIPT = fileURLToPath(new URL('./process-plain.mjs', import.meta.url))

/** One figure from skein compiled to JS under plain node (see process-plain.mjs). */
function plain(indexUrl: string, count: number, method: 'forkserver' | 'spawn', mode?: string): number {
  const args = [PLAIN_SCRIPT, indexUrl, String(count), '0', method, ...(mode === undefined ? [] : [mode])]
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 })
  return (JSON.parse(out.trim()) as { ns_per_op: number }).ns_per_op
}

async function tsxOnce(): Promise<number> {
  const t = performance.now()
  const p = new Process({ target: noop, startMethod: 'forkserver' })
  await p.start()
  await p.join()
  if (p.exitCode !== 0) throw new Error(`no-op Process exited ${p.exitCode}`)
  return (performance.now() - t) * 1e6
}

function forkOne(): Promise<void> {
  const cp = fork(NOOP_SCRIPT, [], { execArgv: [], stdio: 'inherit' })
  return new Promise((resolve, reject) => {
    cp.once('error', reject)
    cp.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fork exited ${code}`))))
  })
}

async function forkRound(n: number): Promise<number> {
  const t = performance.now()
  await Promise.all(Array.from({ length: n }, forkOne))
  return (performance.now() - t) * 1e6
}

async function series(once: () => Promise<number>, count: number): Promise<number> {
  await once()
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push(await once())
  return median(out)
}

/**
 * Runs the process start benchmarks.
 *
 * @example
 * import { benchProcess } from './process.ts'
 * for (const row of await benchProcess()) console.log(row.name, row.skein / row.peer)
 */
export async function benchProcess(): Promise<BenchRow[]> {
  const { dir, cleanup } = compileSkein()
  const index = pathToFileURL(join(dir, 'index.js')).href
  let single: number, burst: number, spawnMethod: number, gcFork: number, gcSpawn: number
  try {
    single = plain(index, COUNT, 'forkserver')
    burst = plain(index, BURST_ROUNDS, 'forkserver', String(BURST))
    spawnMethod = plain(index, COUNT, 'spawn')
    gcFork = plain(index, 5, 'forkserver', 'gc')
    gcSpawn = plain(index, 5, 'spawn', 'gc')
  } finally {
    cleanup()
  }
  const forked = await series(() => forkRound(1), COUNT)
  const forkedBurst = await series(() => forkRound(BURST), BURST_ROUNDS)
  const pySpawn = runPython<{ ns_per_op: number }>('spawn.py', ['spawn', COUNT, 0]).ns_per_op
  const pyFork = runPython<{ ns_per_op: number }>('spawn.py', ['fork', COUNT, 0]).ns_per_op
  const pySpawnBurst = runPython<{ ns_per_op: number }>('spawn.py', ['spawn', BURST_ROUNDS, 0, BURST]).ns_per_op
  const pyForkBurst = runPython<{ ns_per_op: number }>('spawn.py', ['fork', BURST_ROUNDS, 0, BURST]).ns_per_op
  const tsx = await series(tsxOnce, COUNT)
  await pause(300)
  const b2b = 'Process start+join back to back, no-op target (forkserver; compiled, plain node)'
  const twenty = `${BURST} Processes started at once, then all joined (forkserver; compiled, plain node)`
  return [
    { name: b2b, skein: single, peer: forked, peerName: 'Node child_process.fork + exit', unit: 'ns/op', goal: '<= 0.1x', limit: 0.1 },
    { name: b2b, skein: single, peer: pySpawn, peerName: "Python get_context('spawn')", unit: 'ns/op', goal: '<= 0.15x', limit: 0.15 },
    { name: b2b, skein: single, peer: pyFork, peerName: "Python get_context('fork')", unit: 'ns/op', goal: '<= 2x', limit: 2 },
    { name: twenty, skein: burst, peer: forkedBurst, peerName: `Node: ${BURST} child_process.fork, all exited`, unit: 'ns/op', goal: '<= 0.1x', limit: 0.1 },
    { name: twenty, skein: burst, peer: pySpawnBurst, peerName: `Python 'spawn': ${BURST} started, all joined`, unit: 'ns/op', goal: '<= 0.15x', limit: 0.15 },
    { name: twenty, skein: burst, peer: pyForkBurst, peerName: `Python 'fork': ${BURST} started, all joined`, unit: 'ns/op', goal: '<= 2x', limit: 2 },
    { name: 'Process start+join back to back, no-op target (forkserver; under tsx)', skein: tsx, peer: forked, peerName: 'Node child_process.fork + exit', unit: 'ns/op', goal: 'info only (tsx loaded once, in the fork server)' },
    { name: "Process start+join back to back, no-op target ('spawn' method, warm spare; compiled, plain node)", skein: spawnMethod, peer: forked, peerName: 'Node child_process.fork + exit', unit: 'ns/op', goal: "info only (the cold start method)" },
    { name: 'Allocation-heavy work timed inside the child: forkserver child vs spawned child (compiled, plain node)', skein: gcFork, peer: gcSpawn, peerName: "the same work in a 'spawn' child", unit: 'ns/op', goal: 'info only (V8 single-threaded in a forked child)' },
  ]
}

if (isMainProcess() && isEntry(import.meta.url)) printRows(await benchProcess())
