/**
 * A Manager dict shared by 10 processes (Python's `Manager().dict()`).
 *
 * Each process adds 1 to the key `hits` 1,000 times with `update(key, fn)`:
 * the read and the write happen under the dict's lock, as one step, so the
 * total is exactly 10,000. The same processes also add 1 to `racy` by
 * reading (`get`) and then writing (`set`): another process can write in
 * between, and those increments are lost — Python's `d[k] += 1` on a
 * manager dict has the same race. Each process also appends its pid to a
 * shared list.
 *
 * There is no manager server: the dict lives in shared memory and is passed
 * to the children as an argument, like a Lock or a Value.
 *
 *   npx tsx examples/manager-dict.ts
 */
import { Manager, Process, type Event, type SharedDict, type SharedList } from 'skein'
import { isEntry } from './entry.js'

const WORKERS = 10
const TIMES = 1000

/** Runs in each child. */
export async function worker(counts: SharedDict<string, number>, pids: SharedList<number>, go: Event, times: number): Promise<void> {
  await go.wait() // a start gate: all ten run at once, so the race is real
  for (let i = 0; i < times; i++) {
    await counts.update('hits', (n = 0) => n + 1) // atomic read-modify-write
    const racy = (await counts.get('racy')) ?? 0 // read…
    await counts.set('racy', racy + 1) //          …then write: not atomic
  }
  await pids.push(process.pid)
}

/** What the parent saw; returned for tests. */
export interface ManagerDictResult { hits: number; racy: number; pids: number }

export async function main(): Promise<ManagerDictResult> {
  await using manager = await new Manager().start()
  const counts = manager.dict<string, number>({ hits: 0, racy: 0 })
  const pids = manager.list<number>()
  const go = manager.Event()
  const workers = Array.from({ length: WORKERS }, () => new Process({ target: worker, args: [counts, pids, go, TIMES] }))
  for (const p of workers) await p.start()
  go.set()
  for (const p of workers) await p.join()
  const result = { hits: (await counts.get('hits'))!, racy: (await counts.get('racy'))!, pids: pids.length }
  console.log(`  ${WORKERS} processes x ${TIMES.toLocaleString('en')} increments:`)
  console.log(`  hits = ${result.hits.toLocaleString('en')} through update() — exact`)
  const lost = WORKERS * TIMES - result.racy
  console.log(`  racy = ${result.racy.toLocaleString('en')} through get() then set() — ${lost > 0 ? `${lost.toLocaleString('en')} increments lost between a read and its write` : 'none lost this time, but nothing stops another write between the read and the write'}`)
  console.log(`  ${result.pids} pids in the shared list; the dict: ${JSON.stringify(Object.fromEntries(await counts.toMap()))}`)
  if (result.hits !== WORKERS * TIMES || result.pids !== WORKERS || workers.some((p) => p.exitCode !== 0)) {
    throw new Error(`expected hits ${WORKERS * TIMES} and ${WORKERS} pids, got ${result.hits} and ${result.pids} (exit codes ${workers.map((p) => p.exitCode).join(', ')})`)
  }
  return result
}

if (isEntry(import.meta.url)) await main()
