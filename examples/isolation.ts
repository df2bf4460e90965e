/**
 * Isolation: a child process has its own copy of every module-level
 * variable. The child changes `counter`; the parent's stays 0. Sharing state
 * takes a shared object (below: `Value`).
 *
 *   npx tsx examples/isolation.ts
 */
import { pathToFileURL } from 'node:url'
import { Process, isMainProcess } from '../src/process/index.js'
import { isMainThread } from '../src/thread/index.js'

/** Module-level state: each process has its own. */
export let counter = 0

/** Runs in the child: changes the child's copy only. */
export function bump(times: number): void {
  for (let i = 0; i < times; i++) counter++
  console.log(`  child  (pid ${process.pid}): counter = ${counter}`)
}

export async function main(): Promise<void> {
  console.log(`  parent (pid ${process.pid}): counter = ${counter} before`)
  const p = new Process({ target: bump, args: [100] })
  await p.start()
  await p.join()
  console.log(`  parent (pid ${process.pid}): counter = ${counter} after the child added 100 — unchanged, as in Python`)

  // ── Shared state with Value ─────────────────────────────────────────────
  // TODO(shared): when `Value` lands (src/shared/), show the same child
  // incrementing `new Value('i', 0)` passed as an argument, and the parent
  // reading 100 — the one way a child's change is seen by the parent.
}

if (isMainProcess() && isMainThread() && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
