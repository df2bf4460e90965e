/**
 * Process start+join benchmark (row 5): `new Process({ target: noop })`,
 * `await start()`, `await join()`, against plain `child_process.fork` of a
 * no-op script (plain `node`, no loader) until its exit, and Python's
 * `multiprocessing` spawn context start+join.
 *
 * Two skein figures: skein compiled to JS under plain `node` (how a user
 * ships it, and the same runtime as the fork peer: the goal rows), and
 * under tsx as this bench runs (information: every child then carries
 * tsx's loader, whose start-up and teardown dominate).
 *
 * Method: sequential start+join, COUNT times after a warm-up, a pause
 * apart; the figure is the median. skein keeps one warm spare process and
 * refills it in the background after each start, so the pause must let the
 * refill finish booting (~0.1–0.2 s under plain node, ~0.4–0.5 s under
 * tsx; with less, start() waits for a spare still booting). The peers do
 * not depend on the pause.
 *
 * @example
 * // npx tsx bench/process.ts
 * import { benchProcess } from './process.ts'
 * console.table(await benchProcess())
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Process, isMainProcess } from '../src/index.js'
import { execFileSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { isEntry, median, pause, printRows, runPython } from './harness.ts'
import { compileSkein } from './compiled.ts'
import { noop } from './targets.ts'
import type { BenchRow } from './row.ts'

const COUNT = 11
const TSX_PAUSE_MS = 700
const PLAIN_PAUSE_MS = 400
const PEER_PAUSE_MS = 100
const NOOP_SCRIPT = fileURLToPath(new URL('./noop.mjs', import.meta.url))
const PLAIN_SCRIPT = fileURLToPath(new URL('./process-plain.mjs', import.meta.url))

async function skeinOnce(): Promise<number> {
  const t = performance.now()
  const p = new Process({ target: noop })
  await p.start()
  await p.join()
  const ms = performance.now() - t
  if (p.exitCode !== 0) throw new Error(`no-op Process exited ${p.exitCode}`)
  return ms * 1e6
}

function forkOnce(): Promise<number> {
  const t = performance.now()
  const cp = fork(NOOP_SCRIPT, [], { execArgv: [], stdio: 'inherit' })
  return new Promise((resolve, reject) => {
    cp.once('error', reject)
    cp.once('exit', (code) => (code === 0 ? resolve((performance.now() - t) * 1e6) : reject(new Error(`fork exited ${code}`))))
  })
}

async function series(once: () => Promise<number>, pauseMs: number): Promise<number> {
  await once()
  const out: number[] = []
  for (let i = 0; i < COUNT; i++) {
    await pause(pauseMs)
    out.push(await once())
  }
  return median(out)
}

/**
 * Runs the process start+join benchmark.
 *
 * @example
 * import { benchProcess } from './process.ts'
 * for (const row of await benchProcess()) console.log(row.name, row.skein / row.peer)
 */
export async function benchProcess(): Promise<BenchRow[]> {
  const { dir, cleanup } = compileSkein()
  let plain: number
  try {
    const out = execFileSync(process.execPath, [PLAIN_SCRIPT, pathToFileURL(join(dir, 'index.js')).href, String(COUNT), String(PLAIN_PAUSE_MS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 })
    plain = (JSON.parse(out.trim()) as { ns_per_op: number }).ns_per_op
  } finally {
    cleanup()
  }
  const forked = await series(forkOnce, PEER_PAUSE_MS)
  const spawn = runPython<{ ns_per_op: number }>('spawn.py', ['spawn', COUNT, PEER_PAUSE_MS]).ns_per_op
  new Process({ target: noop }) // the first Process made in a process starts the spare
  await pause(TSX_PAUSE_MS)
  const tsx = await series(skeinOnce, TSX_PAUSE_MS)
  await pause(TSX_PAUSE_MS) // the last refill boots: keep it out of the next bench
  return [
    { name: 'Process start+join, no-op target (warm spare; compiled, plain node)', skein: plain, peer: forked, peerName: 'Node child_process.fork + exit', unit: 'ns/op', goal: '<= 0.1x', limit: 0.1 },
    { name: 'Process start+join, no-op target (warm spare; compiled, plain node)', skein: plain, peer: spawn, peerName: "Python get_context('spawn')", unit: 'ns/op', goal: '<= 0.15x', limit: 0.15 },
    { name: 'Process start+join, no-op target (warm spare; under tsx)', skein: tsx, peer: forked, peerName: 'Node child_process.fork + exit', unit: 'ns/op', goal: 'info only (tsx loader in every child)' },
  ]
}

if (isMainProcess() && isEntry(import.meta.url)) printRows(await benchProcess())
