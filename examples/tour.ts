/**
 * The tour: every example's `main()`, in the order of the course — processes,
 * shared state and locks, threads, tasks, then machines (skein/cluster, on a
 * private redis-server; skipped with a line when none is installed) — each under a banner, timed,
 * with a one-line summary at the end. Exits non-zero if any scenario threw.
 *
 *   npm run demo                     (compiles examples/ to .build/, then runs the tour with plain node)
 *   npm run demo -- ticket crawler   (only scenarios whose name contains one of the words)
 *
 * Children started by the examples import the example's own module, never
 * this one; and this module's run is guarded, so importing it runs nothing.
 */
import * as processBasics from './process-basics.js'
import * as joinTiming from './join-timing.js'
import * as isolation from './isolation.js'
import * as ticketRush from './ticket-rush.js'
import * as managerDict from './manager-dict.js'
import * as queueBasics from './queue-basics.js'
import * as producerConsumer from './producer-consumer.js'
import * as joinableQueue from './joinable-queue.js'
import * as pipePingPong from './pipe-ping-pong.js'
import * as threadsCounter from './threads-counter.js'
import * as syncPrimitives from './sync-primitives.js'
import * as parallelThreads from './parallel-threads.js'
import * as threadQueues from './thread-queues.js'
import * as echoServer from './echo-server.js'
import * as poolApplyAsync from './pool-apply-async.js'
import * as poolMap from './pool-map.js'
import * as poolCrash from './pool-crash.js'
import * as poolEchoServer from './pool-echo-server.js'
import * as crawler from './crawler.js'
import * as greenletSwitch from './greenlet-switch.js'
import * as timeout from './timeout.js'
import * as deadlock from './deadlock.js'
import * as clusterTicketRush from './cluster-ticket-rush.js'
import * as clusterQueue from './cluster-queue.js'
import * as clusterPoolMap from './cluster-pool-map.js'
import { isEntry } from './entry.js'

/** One scenario of the tour. */
export interface Scenario { name: string; about: string; main: () => Promise<unknown> }

export const scenarios: Scenario[] = [
  { name: 'process basics', about: 'Process subclass, pids, terminate, daemon children, no orphans or zombies', main: processBasics.main },
  { name: 'join timing', about: 'three sleepers joined together (~3 s) and one after another (~6 s)', main: joinTiming.main },
  { name: 'isolation', about: "a child's globals are its own; a Value is shared", main: isolation.main },
  { name: 'ticket rush', about: '10 processes, 1 ticket: no lock, Lock, FileLock', main: ticketRush.main },
  { name: 'queue basics', about: 'Queue(3): put, putNowait on a full queue, get, getNowait on an empty one; IPC between two children', main: queueBasics.main },
  { name: 'producer consumer', about: 'two producers, two daemon consumers, a sentinel each', main: producerConsumer.main },
  { name: 'joinable queue', about: 'three producers, one daemon consumer, the parent ends on q.join()', main: joinableQueue.main },
  { name: 'pipe ping-pong', about: 'a Pipe between the main process and a child', main: pipePingPong.main },
  { name: 'manager dict', about: 'a Manager dict shared by 10 processes: update() exact, get-then-set racy', main: managerDict.main },
  { name: 'threads counter', about: '100 threads decrement a shared counter, without and with a Lock', main: threadsCounter.main },
  { name: 'sync primitives', about: 'RLock, Semaphore, Event traffic light, daemon thread, currentThread, activeCount', main: syncPrimitives.main },
  { name: 'parallel threads', about: 'CPU-bound work on 2 threads vs 1 (no GIL)', main: parallelThreads.main },
  { name: 'thread queues', about: 'the bun shop (Queue(10), 1 producer, 2 consumer threads); LifoQueue and PriorityQueue between threads', main: threadQueues.main },
  { name: 'echo server', about: 'a Process, then a Thread, per TCP client', main: echoServer.main },
  { name: 'pool apply async', about: 'Pool(processes=3).applyAsync with a callback, then close() and join()', main: poolApplyAsync.main },
  { name: 'pool map', about: 'a CPU-bound map over every core with a progress bar, timed against one core', main: poolMap.main },
  { name: 'pool echo server', about: 'a TCP server whose every line is a task for a Pool(2); 50 clients', main: poolEchoServer.main },
  { name: 'pool crash', about: 'a worker killed mid-task: only its task fails, the pool goes on', main: poolCrash.main },
  { name: 'crawler', about: '1,000 requests through a TaskPool(100)', main: crawler.main },
  { name: 'greenlet switch', about: "greenlet's explicit switch, with generators", main: greenletSwitch.main },
  { name: 'timeout', about: 'withTimeout cancelling slow work', main: timeout.main },
  { name: 'deadlock', about: 'two processes each hold the lock the other wants: skein names the cycle, a timeout breaks it', main: deadlock.main },
  { name: 'cluster ticket rush', about: '8 machines (processes, own Redis connections), 1 ticket in a cluster dict: no lock, cluster Lock', main: clusterTicketRush.main },
  { name: 'cluster queue', about: 'producer and consumer machines on a cluster Queue, a sentinel each', main: clusterQueue.main },
  { name: 'cluster pool map', about: 'a map over two runWorker machines on a cluster Pool, with a progress bar', main: clusterPoolMap.main },
]

/** How one scenario went. */
export interface Outcome { name: string; ok: boolean; seconds: number; error?: unknown }

/** How long one scenario may take before the tour calls it failed and goes on (the slowest takes ~10 s on a quiet machine). */
export const SCENARIO_BOUND_MS = 180_000

/**
 * Runs the scenarios in order, each under a banner; never throws, and never
 * waits on one scenario longer than `boundMs`: a scenario still running
 * then is reported as failed and the tour goes on (what it left running is
 * ended when the tour exits).
 */
export async function runTour(selected: Scenario[] = scenarios, boundMs = SCENARIO_BOUND_MS): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  for (const [i, s] of selected.entries()) {
    console.log(`\n━━━ ${i + 1}/${selected.length} ${s.name} — ${s.about} ━━━`)
    const t = performance.now()
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([s.main(), new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`it did not finish within ${boundMs / 1000} s: something it waits for never came (see its output above)`)), boundMs)
      })])
      outcomes.push({ name: s.name, ok: true, seconds: (performance.now() - t) / 1000 })
    } catch (error) {
      outcomes.push({ name: s.name, ok: false, seconds: (performance.now() - t) / 1000, error })
      console.error(`✘ ${s.name} failed:`, error)
    } finally {
      clearTimeout(timer)
    }
    const o = outcomes.at(-1)!
    console.log(`${o.ok ? '✔' : '✘'} ${s.name}: ${o.ok ? 'passed' : 'FAILED'} in ${o.seconds.toFixed(1)} s`)
  }
  return outcomes
}

/** The tour's closing line. */
export function summary(outcomes: Outcome[]): string {
  const passed = outcomes.filter((o) => o.ok).length
  const total = outcomes.reduce((sum, o) => sum + o.seconds, 0)
  const each = outcomes.map((o) => `${o.ok ? '✔' : '✘'} ${o.name} ${o.seconds.toFixed(1)} s`).join(', ')
  return `tour: ${passed}/${outcomes.length} passed in ${total.toFixed(1)} s — ${each}`
}

async function cli(words: string[]): Promise<void> {
  const selected = words.length === 0 ? scenarios : scenarios.filter((s) => words.some((w) => s.name.includes(w)))
  if (selected.length === 0) {
    console.error(`no scenario matches ${words.join(', ')}; scenarios: ${scenarios.map((s) => s.name).join(', ')}`)
    process.exitCode = 2
    return
  }
  const outcomes = await runTour(selected)
  console.log(`\n${summary(outcomes)}`)
  // A scenario that failed may have left waits and children behind: end here rather than wait on them.
  if (outcomes.some((o) => !o.ok)) process.exit(1)
}

// No top-level await: a module still evaluating cannot be imported again
// (skein's target lookup re-imports the modules on the caller's stack).
if (isEntry(import.meta.url)) {
  cli(process.argv.slice(2)).catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
}
