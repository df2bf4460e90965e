/**
 * A CPU-bound Pool.map over every core, with a progress bar (drawn only on
 * a terminal), timed against the same map on a pool of one process.
 *
 *   npx tsx examples/pool-map.ts
 */
import { Pool, cpuCount } from 'skein'
import { isEntry } from './entry.js'

/** Counts the primes in [from, from + 20,000) by trial division. */
export function primesIn(from: number): number {
  let count = 0
  for (let n = Math.max(2, from); n < from + 20_000; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break }
    if (prime) count++
  }
  return count
}

async function timedMap(processes: number, starts: number[]): Promise<{ seconds: number; primes: number }> {
  const pool = new Pool({ processes })
  await pool.map(primesIn, [0]) // the workers are up: time the work, not the start
  const t = performance.now()
  const counts = await pool.map(primesIn, starts, { progress: true })
  const seconds = (performance.now() - t) / 1000
  pool.close()
  await pool.join()
  return { seconds, primes: counts.reduce((a, b) => a + b, 0) }
}

export async function main(): Promise<{ primes: number; speedup: number }> {
  const starts = Array.from({ length: 200 }, (_, i) => i * 20_000)
  const one = await timedMap(1, starts)
  const all = await timedMap(cpuCount(), starts)
  console.log(`primes below ${(starts.length * 20_000).toLocaleString()}: ${one.primes} (1 process) / ${all.primes} (${cpuCount()} processes)`)
  console.log(`1 process:   ${one.seconds.toFixed(2)} s`)
  console.log(`${cpuCount()} processes: ${all.seconds.toFixed(2)} s — speed-up ${(one.seconds / all.seconds).toFixed(2)}x`)
  if (one.primes !== all.primes) throw new Error('the counts differ')
  return { primes: all.primes, speedup: one.seconds / all.seconds }
}

if (isEntry(import.meta.url)) await main()
