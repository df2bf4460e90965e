/**
 * A worker killed mid-task (SIGKILL, as an out-of-memory kill would) while
 * the pool goes on: only the task it held fails, with WorkerCrashedError;
 * every other result arrives and a new worker takes its place. (Python's
 * Pool hangs here forever: gh-66587.)
 *
 *   npx tsx examples/pool-crash.ts
 */
import { Pool, WorkerCrashedError } from 'skein'
import { isEntry } from './entry.js'

/** A task that takes `ms` and returns its input. */
export async function slowEcho(x: number, ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms))
  return x
}

/** A task whose worker dies while running it. */
export function dieMidTask(): number {
  process.kill(process.pid, 'SIGKILL')
  return -1
}

export async function main(): Promise<{ ok: number; crashed: number; after: number }> {
  const pool = new Pool({ processes: 2 })
  await pool.apply(slowEcho, [0, 1]) // the workers are up
  const before = Array.from({ length: 10 }, (_, i) => pool.apply(slowEcho, [i, 20]))
  const doomed = pool.apply(dieMidTask, [])
  const afterwards = Array.from({ length: 10 }, (_, i) => pool.apply(slowEcho, [100 + i, 5]))
  let crashed = 0
  try {
    await doomed
  } catch (error) {
    if (!(error instanceof WorkerCrashedError)) throw error
    crashed++
    console.log(`the doomed task: ${error.name}: ${error.message}`)
  }
  const ok = (await Promise.all([...before, ...afterwards])).length
  console.log(`the other ${ok} tasks all returned their values`)
  const after = await pool.apply(slowEcho, [42, 1])
  console.log(`and the pool goes on: apply(slowEcho, [42]) → ${after}`)
  pool.close()
  await pool.join()
  return { ok, crashed, after }
}

if (isEntry(import.meta.url)) await main()
