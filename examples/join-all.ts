/**
 * Joining an example's children with a bound: no example waits for ever
 * on a child that hangs (the tour goes on to the next scenario instead).
 *
 *   await joinAll(buyers, 60_000, 'no lock')   // throws naming who failed or hung
 */
import type { Process } from 'skein'

/**
 * Joins every process within `ms` in all; one still running then is killed.
 * Throws an error naming each process that hung or exited non-zero.
 */
export async function joinAll(processes: Process[], ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms
  for (const p of processes) await p.join(Math.max(deadline - performance.now(), 0))
  const hung = processes.filter((p) => p.isAlive())
  for (const p of hung) p.kill()
  for (const p of hung) await p.join(10_000)
  const failed = processes.filter((p) => p.exitCode !== 0)
  if (failed.length > 0) {
    throw new Error(`${what}: ${failed.map((p) => (hung.includes(p) ? `${p.name} still running after ${ms / 1000} s (killed)` : `${p.name} exited ${p.exitCode}`)).join(', ')}`)
  }
}
