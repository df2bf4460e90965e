/**
 * `npm run bench`: every benchmark, skein and its peer side by side in one
 * run, printed as one table (Markdown). Each bench file also runs alone
 * (`npx tsx bench/<name>.ts`).
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
import type { BenchRow } from './row.ts'
import { benchLock } from './lock.ts'
import { benchFileLock } from './file-lock.ts'
import { benchSemaphore } from './semaphore.ts'
import { benchTasks } from './tasks.ts'
import { benchEvent } from './event.ts'
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
  ['cluster-lock', benchClusterLock],
  ['queue', benchQueue],
  ['manager', benchManager],
  ['pool', benchPool],
  ['cluster-pool', benchClusterPool],
  ['cluster-queue', benchClusterQueue],
  ['process', benchProcess],
]

/** Runs every bench in order and returns all rows. */
export async function benchAll(log: (line: string) => void = () => {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const [name, run] of benches) {
    const t = performance.now()
    const got = await run()
    rows.push(...got)
    log(`${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`)
  }
  return rows
}

if (isMainProcess() && isMainThread() && isEntry(import.meta.url)) {
  const python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim()
  console.log(`${new Date().toISOString()} · ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}) · Linux ${release()} · node ${process.version} · ${python}`)
  const t = performance.now()
  const rows = await benchAll((line) => console.error(line))
  console.log(formatTable(rows))
  const goals = rows.filter((r) => r.limit !== undefined || r.bound !== undefined)
  console.log(`\n${goals.filter((r) => verdict(r) === '✓').length}/${goals.length} goals met · ${((performance.now() - t) / 1000).toFixed(0)} s`)
}
