/**
 * FileLock benchmark (row 4): uncontended lock+unlock in one process,
 * skein's `FileLock` (flock on a descriptor kept open) against
 * `proper-lockfile` (`await lock(file)` → `await release()`, an mkdir-based
 * lock with an mtime refresh timer).
 *
 * Method: one warm-up, then the median of ROUNDS, alternating the two.
 * skein's figure is `acquireSync(); release()`; the async
 * `await acquire(); release()` is reported as an information row.
 *
 * @example
 * // npx tsx bench/file-lock.ts
 * import { benchFileLock } from './file-lock.ts'
 * console.table(await benchFileLock())
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import lockfile from 'proper-lockfile'
import { FileLock } from '../src/index.js'
import { isEntry, median, printRows } from './harness.ts'
import type { BenchRow } from './row.ts'

const SKEIN_N = 200_000
const ASYNC_N = 100_000
const PEER_N = 200
const ROUNDS = 5

function skeinSync(lock: FileLock, n: number): number {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    lock.acquireSync()
    lock.release()
  }
  return ((performance.now() - t) * 1e6) / n
}

async function skeinAsync(lock: FileLock, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    await lock.acquire()
    lock.release()
  }
  return ((performance.now() - t) * 1e6) / n
}

async function peer(file: string, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    const release = await lockfile.lock(file)
    await release()
  }
  return ((performance.now() - t) * 1e6) / n
}

/**
 * Runs the file lock benchmark.
 *
 * @example
 * import { benchFileLock } from './file-lock.ts'
 * for (const row of await benchFileLock()) console.log(row.name, row.skein / row.peer)
 */
export async function benchFileLock(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-bench-'))
  try {
    const lock = new FileLock(join(dir, 'skein.lock'))
    const file = join(dir, 'peer')
    writeFileSync(file, '')
    skeinSync(lock, SKEIN_N / 10)
    await skeinAsync(lock, ASYNC_N / 10)
    await peer(file, PEER_N / 10)
    const s: number[] = []
    const a: number[] = []
    const p: number[] = []
    for (let r = 0; r < ROUNDS; r++) {
      s.push(skeinSync(lock, SKEIN_N))
      p.push(await peer(file, PEER_N))
      a.push(await skeinAsync(lock, ASYNC_N))
    }
    lock.close()
    const peerNs = median(p)
    return [
      { name: 'FileLock acquireSync+release, uncontended', skein: median(s), peer: peerNs, peerName: 'proper-lockfile lock+release', unit: 'ns/op', goal: '<= 0.05x', limit: 0.05 },
      { name: 'FileLock await acquire+release, uncontended', skein: median(a), peer: peerNs, peerName: 'proper-lockfile lock+release', unit: 'ns/op', goal: 'info only (async form)' },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (isEntry(import.meta.url)) printRows(await benchFileLock())
