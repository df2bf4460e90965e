/**
 * Threads counter: 100 threads each take one off a shared counter that starts
 * at 100, with a short pause between reading and writing:
 *
 *     temp = n; sleep(10 ms); n = temp - 1
 *
 * The same 100 threads do it twice, on two counters (`RawValue('i', 100)`,
 * shared memory seen by every thread):
 * - without a lock, they all read 100 before anyone writes, and most
 *   decrements are lost: the counter ends far from 0 (99 when every thread
 *   read first), as Python's lesson shows;
 * - holding a `Lock` around read–pause–write, the decrements happen one
 *   after another: 0.
 *
 * skein threads are worker_threads — truly parallel, no GIL — so this race is
 * the real thing, not an artefact of a scheduler switch. An `Event` start
 * gate lets them all begin at once (a thread takes a while to boot).
 *
 * Under tsx each worker thread spends ~0.3–0.4 s of CPU starting (it loads
 * tsx and the module graph again); `THREADS=20` runs a smaller crowd.
 *
 *   npx tsx examples/threads-counter.ts
 */
import { Event, Lock, RawValue, Thread, sleep } from 'skein'
import { isEntry } from './entry.js'

const THREADS = Number(process.env.THREADS ?? 100)
const PAUSE_MS = 10

/** Read, pause, write back one less: the lost-update pattern. */
async function takeOne(n: RawValue<'i'>): Promise<void> {
  const temp = n.value
  await sleep(PAUSE_MS)
  n.value = temp - 1
}

/** Runs in each thread: once without a lock on `racy`, once holding `lock` on `safe`. */
export async function decrement(racy: RawValue<'i'>, safe: RawValue<'i'>, lock: Lock, gate: Event): Promise<void> {
  await gate.wait()
  await takeOne(racy)
  await lock.withLock(() => takeOne(safe))
}

/** The two counters' final values (0 is right). */
export interface ThreadsCounterResult { noLock: number; lock: number }

/** Starts the threads, opens the gate, joins, prints both counters. Throws if the locked one is not 0. */
export async function main({ threads: count = THREADS }: { threads?: number } = {}): Promise<ThreadsCounterResult> {
  const racy = new RawValue('i', count)
  const safe = new RawValue('i', count)
  const lock = new Lock()
  const gate = new Event()
  const threads = Array.from({ length: count }, () => new Thread({ target: decrement, args: [racy, safe, lock, gate] }))

  let t = performance.now()
  try {
    await Promise.all(threads.map((th) => th.start()))
  } catch (error) {
    gate.set() // let the threads that did start finish, so nothing is left waiting on the gate
    for (const th of threads) await th.join(30_000).catch(() => {})
    throw error
  }
  console.log(`${count} threads started in ${((performance.now() - t) / 1000).toFixed(2)} s; each does: temp = n; sleep(${PAUSE_MS} ms); n = temp - 1`)
  t = performance.now()
  gate.set()
  for (const th of threads) await th.join()
  const seconds = ((performance.now() - t) / 1000).toFixed(2)

  const result = { noLock: racy.value, lock: safe.value }
  console.log(`without a lock: n = ${result.noLock} (should be 0: ${count - result.noLock} of ${count} decrements survived, the rest were overwritten)`)
  console.log(`with a Lock:    n = ${result.lock} (one at a time; ${seconds} s for both runs, ~${(count * PAUSE_MS / 1000).toFixed(1)} s of it the locked pauses)`)
  const failed = threads.filter((th) => th.exitCode !== 0)
  if (failed.length > 0) throw new Error(`${failed.length} threads failed (exit codes ${failed.map((th) => th.exitCode).join(', ')})`)
  if (result.lock !== 0) throw new Error(`with a Lock the counter ended at ${result.lock}, not 0`)
  return result
}

if (isEntry(import.meta.url)) await main()
