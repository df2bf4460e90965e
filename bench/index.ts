/**
 * `npm run bench`: every benchmark, skein and its peer side by side in one
 * run, printed as one table (Markdown). Each bench file also runs alone
 * (`npx tsx bench/<name>.ts`); `npm run bench -- --only lock,event` runs
 * some. Each bench runs in a child process under a watchdog (watchdog.ts):
 * one that hangs is failed by name and killed with its children, and the
 * run goes on (exit code 1 at the end).
 *
 * Ratios are skein/peer: time for `ns/op` rows (lower is better), throughput
 * or speed-up otherwise (higher is better); ✓/✗ compares them with the goal.
 * Benches that start processes run last-but-one and pause after themselves,
 * so a warm spare booting in the background does not steal a CPU from the
 * next measurement.
 */
import { execFileSync } from 'node:child_process'
import { cpus } from 'node:os'
import { release } from 'node:os'
import { isMainProcess, isMainThread } from '../src/index.js'
import { formatTable, isEntry, verdict } from './harness.ts'
import { reportBench, superviseBench } from './watchdog.ts'
import type { BenchRow } from './row.ts'
import { benchLock } from './lock.ts'
import { benchFileLock } from './file-lock.ts'
import { benchSemaphore } from './semaphore.ts'
import { benchTasks } from './tasks.ts'
import { benchEvent } from './event.ts'
import { benchCondition } from './condition.ts'
import { benchProcess } from './process.ts'
import { benchThreads } from './threads.ts'
import { benchThreadStart } from './thread-start.ts'
import { benchQueue } from './queue.ts'
import { benchManager } from './manager.ts'
import { benchPool } from './pool.ts'
import { benchClusterPool } from './cluster-pool.ts'
import { benchClusterLock } from './cluster-lock.ts'
import { benchClusterQueue } from './cluster-queue.ts'

const benches: Array<[string, () => Promise<BenchRow[]>]> = [
  ['lock', benchLock],
  ['file-lock', benchFileLock],
  ['semaphore', benchSemaphore],
  ['tasks', benchTasks],
  ['threads', benchThreads],
  ['thread-start', benchThreadStart],
  ['event', benchEvent],
  ['condition', benchCondition],
  ['cluster-lock', benchClusterLock],
  ['queue', benchQueue],
  ['manager', benchManager],
  ['pool', benchPool],
  ['cluster-pool', benchClusterPool],
  ['cluster-queue', benchClusterQueue],
  ['process', benchProcess],
]

/**
 * Runs the benches named in `only` (default: all), in order, each in a
 * watched child process; returns the rows and the benches that failed.
 */
export async function benchAll(only?: string[], log: (line: string) => void = () => {}): Promise<{ rows: BenchRow[]; failed: string[] }> {
  const unknown = only?.filter((name) => !benches.some(([n]) => n === name)) ?? []
  if (unknown.length > 0) throw new RangeError(`bench: no bench named ${unknown.join(', ')}; the benches are ${benches.map(([n]) => n).join(', ')}`)
  const rows: BenchRow[] = []
  const failed: string[] = []
  for (const [name] of benches) {
    if (only !== undefined && !only.includes(name)) continue
    const outcome = await superviseBench(name, new URL(import.meta.url))
    if ('rows' in outcome) rows.push(...outcome.rows)
    else failed.push(outcome.error)
    log(`${name}: ${outcome.seconds.toFixed(1)} s${'error' in outcome ? ' — FAILED' : ''}`)
  }
  return { rows, failed }
}

if (isMainProcess() && isMainThread() && isEntry(import.meta.url)) {
  const one = process.argv.indexOf('--one')
  if (one !== -1) {
    // A child of benchAll: run one bench and report to the watchdog.
    const name = process.argv[one + 1]
    const bench = benches.find(([n]) => n === name)
    if (bench === undefined) throw new RangeError(`bench: no bench named ${String(name)}`)
    await reportBench(bench[1])
  }
  const onlyAt = process.argv.indexOf('--only')
  const only = onlyAt === -1 ? undefined : (process.argv[onlyAt + 1] ?? '').split(',').filter(Boolean)
  const python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim()
  console.log(`${new Date().toISOString()} · ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}) · Linux ${release()} · node ${process.version} · ${python}`)
  const t = performance.now()
  const { rows, failed } = await benchAll(only, (line) => console.error(line))
  console.log(formatTable(rows))
  const goals = rows.filter((r) => r.limit !== undefined || r.bound !== undefined)
  console.log(`\n${goals.filter((r) => verdict(r) === '✓').length}/${goals.length} goals met · ${((performance.now() - t) / 1000).toFixed(0)} s`)
  if (failed.length > 0) {
    console.log(`\n${failed.length} bench(es) FAILED:\n${failed.map((f) => `- ${f}`).join('\n')}`)
    process.exitCode = 1
  }
}
