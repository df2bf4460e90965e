/**
 * Isolation: a child process has its own copy of every module-level
 * variable. The child changes `counter`; the parent's stays 0. Sharing state
 * takes a shared object: a `Value('i', 0)` passed to a child is the same
 * shared memory there, and the parent reads the child's 100.
 *
 *   npx tsx examples/isolation.ts
 */
import { Process, Value } from 'skein'
import { isEntry } from './entry.js'

/** Module-level state: each process has its own. */
export let counter = 0

/** Runs in the child: changes the child's copy only. */
export function bump(times: number): void {
  for (let i = 0; i < times; i++) counter++
  console.log(`  child  (pid ${process.pid}): counter = ${counter}`)
}

/** Runs in the child: changes shared memory, which the parent sees. */
export async function bumpShared(shared: Value<'i'>, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await shared.withLock(() => { shared.value += 1 })
  console.log(`  child  (pid ${process.pid}): shared.value = ${shared.value}`)
}

/** What the parent saw after each child; returned for tests. */
export interface IsolationResult { counter: number; shared: number }

export async function main(): Promise<IsolationResult> {
  console.log(`  parent (pid ${process.pid}): counter = ${counter} before`)
  const p = new Process({ target: bump, args: [100] })
  await p.start()
  await p.join()
  console.log(`  parent (pid ${process.pid}): counter = ${counter} after the child added 100 — unchanged, as in Python`)

  // ── Shared state with Value ─────────────────────────────────────────────
  // A Value lives in shared memory; passed as an argument it is the same
  // memory in the child (not a copy), so the child's change is the parent's.
  const shared = new Value('i', 0)
  const q = new Process({ target: bumpShared, args: [shared, 100] })
  await q.start()
  await q.join()
  console.log(`  parent (pid ${process.pid}): shared.value = ${shared.value} after the child added 100 to a Value('i', 0) — shared memory`)
  if (counter !== 0 || shared.value !== 100) throw new Error(`expected counter 0 and shared 100, got ${counter} and ${shared.value}`)
  return { counter, shared: shared.value }
}

if (isEntry(import.meta.url)) await main()
