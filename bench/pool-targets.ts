/** Task functions of bench/pool.ts (exported: pool workers import them by module and name). */

/** The tiny task. */
export function square(x: number): number { return x * x }

/** The CPU-bound task: primes in [from, from + 20,000) by trial division (the same in python/pool.py). */
export function primesIn(from: number): number {
  let count = 0
  for (let n = Math.max(2, from); n < from + 20_000; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break }
    if (prime) count++
  }
  return count
}

/** Busy for `ms` milliseconds (a CPU-bound task of known length); returns when it ended, in ms of the machine's monotonic clock. */
export function spinMs(ms: number): number {
  const end = performance.now() + ms
  while (performance.now() < end) { /* busy */ }
  return Number(process.hrtime.bigint()) / 1e6
}
