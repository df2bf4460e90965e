/**
 * Pool.applyAsync with a callback — the course's `apply_async` seed: a pool
 * of 3 worker processes squares 0..9; each result arrives through the
 * callback in the parent, in the order tasks finish; then close() and join().
 *
 *   npx tsx examples/pool-apply-async.ts
 */
import { Pool } from 'skein'
import { isEntry } from './entry.js'

/** The task: runs in a worker process. */
export function square(x: number): { x: number; squared: number; pid: number } {
  return { x, squared: x * x, pid: process.pid }
}

export async function main(): Promise<{ squares: number[]; workers: number }> {
  const pool = new Pool({ processes: 3 })
  const got: Array<{ x: number; squared: number; pid: number }> = []
  for (let i = 0; i < 10; i++) {
    pool.applyAsync(square, [i], { callback: (r) => { got.push(r); console.log(`callback: ${r.x}² = ${r.squared} (worker pid ${r.pid})`) } })
  }
  pool.close() // no more tasks
  await pool.join() // every queued task ran, every callback was called
  const squares = got.map((r) => r.squared).sort((a, b) => a - b)
  console.log(`all ${got.length} callbacks arrived: ${squares.join(' ')} — from ${new Set(got.map((r) => r.pid)).size} worker processes`)
  return { squares, workers: new Set(got.map((r) => r.pid)).size }
}

if (isEntry(import.meta.url)) await main()
