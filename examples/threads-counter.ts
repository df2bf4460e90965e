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
 * gate lets them all begin at once.
 *
 * The scene runs twice and prints how long starting the threads took beside
 * Python's figure: a worker boots once (~0.1 s of CPU on plain node), then
 * serves one Thread after another, so the second run starts its 100 threads
 * in milliseconds. Under tsx each worker boot costs ~0.4 s more (it loads tsx
 * and the module graph again); `THREADS=20` runs a smaller crowd.
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

/** The two counters' final values (0 is right), and how long starting the threads took in each run. */
export interface ThreadsCounterResult { noLock: number; lock: number; startMs: number[] }

/** Python's `threading.Thread` start of 100 threads on this machine (bench/python/thread_start.py). */
const PYTHON_100_MS = 12

/** One run: starts the threads, opens the gate, joins; the counters and the start time. */
async function run(count: number, label: string): Promise<ThreadsCounterResult> {
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
  const startMs = performance.now() - t
  console.log(`${label}: ${count} threads started in ${startMs.toFixed(1)} ms (Python's threading: ~${(PYTHON_100_MS * count / 100).toFixed(0)} ms); each does: temp = n; sleep(${PAUSE_MS} ms); n = temp - 1`)
  t = performance.now()
  gate.set()
  for (const th of threads) await th.join()
  const seconds = ((performance.now() - t) / 1000).toFixed(2)

  const result = { noLock: racy.value, lock: safe.value, startMs: [startMs] }
  console.log(`  without a lock: n = ${result.noLock} (should be 0: ${count - result.noLock} of ${count} decrements survived, the rest were overwritten)`)
  console.log(`  with a Lock:    n = ${result.lock} (one at a time; ${seconds} s for both runs, ~${(count * PAUSE_MS / 1000).toFixed(1)} s of it the locked pauses)`)
  const failed = threads.filter((th) => th.exitCode !== 0)
  if (failed.length > 0) throw new Error(`${failed.length} threads failed (exit codes ${failed.map((th) => th.exitCode).join(', ')})`)
  if (result.lock !== 0) throw new Error(`with a Lock the counter ended at ${result.lock}, not 0`)
  return result
}

/**
 * Runs the scene twice: the first run boots a worker per thread (all 100 wait
 * on the gate at once, so each needs its own), the second finds them warm
 * and idle, as threads started later in a program do. Throws if a locked
 * counter is not 0.
 */
export async function main({ threads: count = THREADS }: { threads?: number } = {}): Promise<ThreadsCounterResult> {
  const first = await run(count, 'first run (workers boot)')
  const second = await run(count, 'second run (warm workers reused)')
  return { ...second, startMs: [...first.startMs, ...second.startMs] }
}

if (isEntry(import.meta.url)) await main()
