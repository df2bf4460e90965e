/**
 * Semaphore benchmark (row 7): async `Semaphore(8)` against `async-sema`
 * `Sema(8)`, with contention: 64 concurrent tasks, each doing LOOPS x
 * (acquire; await nothing; release). Same workload for both.
 *
 * Method: one warm-up, then the median of ROUNDS, alternating; the figure is
 * ns per acquire+release (total time / (TASKS * LOOPS)).
 *
 * @example
 * // npx tsx bench/semaphore.ts
 * import { benchSemaphore } from './semaphore.ts'
 * console.table(await benchSemaphore())
 */
import { Sema } from 'async-sema'
import { Semaphore } from '../src/index.js'
import { isEntry, median, printRows } from './harness.ts'
import type { BenchRow } from './row.ts'

const WIDTH = 8
const TASKS = 64
const LOOPS = 5_000
const ROUNDS = 5

async function skeinTask(sem: Semaphore, loops: number): Promise<void> {
  for (let i = 0; i < loops; i++) {
    await sem.acquire()
    await undefined
    sem.release()
  }
}

async function peerTask(sema: Sema, loops: number): Promise<void> {
  for (let i = 0; i < loops; i++) {
    await sema.acquire()
    await undefined
    sema.release()
  }
}

async function skein(loops: number): Promise<number> {
  const sem = new Semaphore(WIDTH)
  const t = performance.now()
  await Promise.all(Array.from({ length: TASKS }, () => skeinTask(sem, loops)))
  const ns = ((performance.now() - t) * 1e6) / (TASKS * loops)
  if (sem.value !== WIDTH) throw new Error(`Semaphore ended with ${sem.value} permits, expected ${WIDTH}`)
  return ns
}

async function peer(loops: number): Promise<number> {
  const sema = new Sema(WIDTH)
  const t = performance.now()
  await Promise.all(Array.from({ length: TASKS }, () => peerTask(sema, loops)))
  const ns = ((performance.now() - t) * 1e6) / (TASKS * loops)
  if (sema.nrWaiting() !== 0) throw new Error('async-sema left waiters')
  return ns
}

/**
 * Runs the semaphore benchmark.
 *
 * @example
 * import { benchSemaphore } from './semaphore.ts'
 * for (const row of await benchSemaphore()) console.log(row.name, row.skein / row.peer)
 */
export async function benchSemaphore(): Promise<BenchRow[]> {
  await skein(LOOPS / 10)
  await peer(LOOPS / 10)
  const s: number[] = []
  const p: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    s.push(await skein(LOOPS))
    p.push(await peer(LOOPS))
  }
  return [{ name: `Semaphore(${WIDTH}) await acquire+release, ${TASKS} tasks`, skein: median(s), peer: median(p), peerName: `async-sema Sema(${WIDTH})`, unit: 'ns/op', goal: '<= 0.2x', limit: 0.2 }]
}

if (isEntry(import.meta.url)) printRows(await benchSemaphore())
