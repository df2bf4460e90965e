/**
 * The threading toolbox, one short scene each:
 *
 * - `RLock`: a recursive function re-acquires the lock it already holds
 *   (a plain `Lock` would deadlock; skein's throws instead and says so).
 * - `Semaphore(3)`: 10 threads, never more than 3 inside at once.
 * - `Event` as a traffic light: one thread flips red/green every 200 ms for
 *   1 s; car threads that arrive on red wait for green. Cars print their
 *   `currentThread().name`; the main thread prints `activeCount()`.
 * - A daemon thread that would tick forever ends when its main thread ends
 *   (shown in a separate small process, so that main thread can end).
 *
 * Each scene prints how long its threads took to start, beside Python's
 * figure: threads run on warm, reused workers, so after the first scene has
 * booted some, starts take milliseconds.
 *
 *   npx tsx examples/sync-primitives.ts
 */
import { spawn as spawnProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  Event, Lock, RLock, RawArray, RawValue, Semaphore, Thread,
  activeCount, currentThread, sleep,
} from 'skein'
import { isEntry } from './entry.js'

// ── RLock ───────────────────────────────────────────────────────────────────

/** Takes the lock at every level of the recursion; returns the deepest level reached. */
function nested(lock: RLock, level: number, levels: number): number {
  lock.acquireSync()
  try {
    return level === levels ? level : nested(lock, level + 1, levels)
  } finally {
    lock.release()
  }
}

function rlockScene(): number {
  const rlock = new RLock()
  const depth = nested(rlock, 1, 4)
  console.log(`RLock: a recursive function took it ${depth} times in one thread and released it ${depth} times; locked() now: ${rlock.locked()}`)
  const lock = new Lock()
  lock.acquireSync()
  try {
    lock.acquireSync()
  } catch (error) {
    console.log(`  the same with a Lock: ${(error as Error).message.split(' (')[0]} (self-deadlock detected, not a hang)`)
  } finally {
    lock.release()
  }
  return depth
}

// ── Thread start times ──────────────────────────────────────────────────────

/** Python's `threading.Thread` start on this machine, per thread (bench/python/thread_start.py: 100 in ~12 ms). */
const PYTHON_START_MS = 0.12

/** Milliseconds since `t`, for the start-time lines. */
const startedIn = (t: number): string => `${(performance.now() - t).toFixed(1)} ms`

// ── Semaphore ───────────────────────────────────────────────────────────────

const SEM_THREADS = 10
const SEM_SLOTS = 3
const SEM_HOLD_MS = 200

/** Runs in each thread: waits for the gate, then holds a slot for a while, counting who is inside. */
export async function useSlot(sem: Semaphore, gate: Event, counts: RawArray<'i'>): Promise<void> {
  await gate.wait()
  await sem.withLock(async () => {
    const inside = Atomics.add(counts.array, 0, 1) + 1
    for (let max = Atomics.load(counts.array, 1); inside > max; max = Atomics.load(counts.array, 1)) {
      if (Atomics.compareExchange(counts.array, 1, max, inside) === max) break
    }
    await sleep(SEM_HOLD_MS)
    Atomics.sub(counts.array, 0, 1)
  })
}

async function semaphoreScene(): Promise<number> {
  const sem = new Semaphore(SEM_SLOTS)
  const gate = new Event()
  const counts = new RawArray('i', 2) // [inside now, most inside at once]
  const threads = Array.from({ length: SEM_THREADS }, () => new Thread({ target: useSlot, args: [sem, gate, counts] }))
  const started = performance.now()
  await Promise.all(threads.map((t) => t.start()))
  console.log(`Semaphore(${SEM_SLOTS}): ${SEM_THREADS} threads started in ${startedIn(started)} (Python's threading: ~${PYTHON_START_MS * SEM_THREADS} ms)`)
  const t = performance.now()
  gate.set()
  for (const th of threads) await th.join()
  const max = counts.get(1)
  console.log(`Semaphore(${SEM_SLOTS}): ${SEM_THREADS} threads each held a slot ${SEM_HOLD_MS} ms; most inside at once: ${max}; ` +
    `${((performance.now() - t) / 1000).toFixed(2)} s in all (${Math.ceil(SEM_THREADS / SEM_SLOTS)} waves)`)
  return max
}

// ── Event: a traffic light ──────────────────────────────────────────────────

const FLIP_MS = 200
const FLIPS = 5
const CAR_ARRIVALS_MS = [100, 300, 500, 850]

/** Milliseconds since the scene began (wall clock, the same in every thread). */
const since = (t0: RawValue<'d'>): string => `[${String(Date.now() - t0.value).padStart(4)} ms]`

/** Runs in the light's thread: starts red, flips every FLIP_MS, FLIPS times (ends green). */
export async function trafficLight(green: Event, go: Event, t0: RawValue<'d'>): Promise<void> {
  await go.wait()
  console.log(`  ${since(t0)} ${currentThread().name}: RED`)
  for (let i = 0; i < FLIPS; i++) {
    await sleep(FLIP_MS)
    const toGreen = !green.isSet()
    console.log(`  ${since(t0)} ${currentThread().name}: ${toGreen ? 'GREEN' : 'RED'}`) // said before done, so it prints before the cars react
    if (toGreen) green.set()
    else green.clear()
  }
}

/** Runs in each car's thread: arrives after `arrival` ms; on red, waits for green. */
export async function car(green: Event, go: Event, t0: RawValue<'d'>, arrival: number): Promise<void> {
  await go.wait()
  await sleep(arrival)
  const me = currentThread().name
  if (!green.isSet()) {
    console.log(`  ${since(t0)} ${me} arrives on red and waits`)
    await green.wait()
  }
  console.log(`  ${since(t0)} ${me} passes on green`)
}

async function trafficScene(): Promise<number> {
  const green = new Event()
  const go = new Event()
  const t0 = new RawValue('d', 0)
  const threads = [
    new Thread({ target: trafficLight, args: [green, go, t0], name: 'light' }),
    ...CAR_ARRIVALS_MS.map((ms, i) => new Thread({ target: car, args: [green, go, t0, ms], name: `car-${i + 1}` })),
  ]
  const started = performance.now()
  await Promise.all(threads.map((t) => t.start()))
  const running = activeCount()
  console.log(`Event as a traffic light (flips every ${FLIP_MS} ms); ${threads.length} threads started in ${startedIn(started)} (Python's threading: ~${(PYTHON_START_MS * threads.length).toFixed(1)} ms); ${currentThread().name} sees activeCount() = ${running} (itself + ${threads.length} threads)`)
  t0.value = Date.now()
  go.set()
  for (const th of threads) await th.join()
  console.log(`  all cars through; activeCount() = ${activeCount()}`)
  return running
}

// ── A daemon thread ─────────────────────────────────────────────────────────

const DAEMON_FLAG = '--daemon-demo'

/** Runs in the daemon thread: would tick forever. */
export async function ticker(): Promise<void> {
  for (let n = 1; ; n++) {
    console.log(`    ${currentThread().name} (daemon: ${currentThread().daemon}): tick ${n}`)
    await sleep(100)
  }
}

/** The small process of the daemon scene: start the daemon, let it tick, end the main thread. */
async function daemonDemo(): Promise<void> {
  await new Thread({ target: ticker, name: 'ticker', daemon: true }).start()
  await sleep(350)
  console.log('    MainThread: done, returning (nothing else keeps the process alive)')
}

async function daemonScene(): Promise<number> {
  const t = performance.now()
  const child = spawnProcess(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), DAEMON_FLAG], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += String(d) })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
  clearTimeout(timer)
  const ticks = out.split('\n').filter((l) => l.includes('tick')).length
  console.log('a daemon thread that ticks forever, in a process whose main thread returns:')
  process.stdout.write(out)
  console.log(`  the process exited (code ${code}) ${((performance.now() - t) / 1000).toFixed(2)} s after it was started; the daemon ticked ${ticks} times and ended with it`)
  if (code !== 0 || ticks === 0) throw new Error(`daemon scene: exit code ${code}, ${ticks} ticks`)
  return ticks
}

// ── main ────────────────────────────────────────────────────────────────────

/** What the scenes observed; returned for tests. */
export interface SyncPrimitivesResult { rlockDepth: number; semaphoreMax: number; activeDuringTraffic: number; daemonTicks: number }

export async function main(): Promise<SyncPrimitivesResult> {
  console.log(`running in ${currentThread().name}`)
  const result: SyncPrimitivesResult = {
    rlockDepth: rlockScene(),
    semaphoreMax: await semaphoreScene(),
    activeDuringTraffic: await trafficScene(),
    daemonTicks: await daemonScene(),
  }
  if (result.semaphoreMax !== SEM_SLOTS) throw new Error(`Semaphore(${SEM_SLOTS}) let ${result.semaphoreMax} in at once`)
  return result
}

if (isEntry(import.meta.url)) {
  if (process.argv[2] === DAEMON_FLAG) await daemonDemo()
  else await main()
}
