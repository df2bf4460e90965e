/**
 * Event ping-pong benchmark (row 6): a round trip between two processes.
 *
 * The child (`pongWorker` in targets.ts) loops: `ping.waitSync()`,
 * `ping.clear()`, `pong.set()`. The parent loops: `ping.set()`,
 * `pong.waitSync()`, `pong.clear()` — blocking waits on both sides, the
 * fastest correct pattern (a blocked thread is woken straight by the futex;
 * an `await pong.wait()` also goes through the addon's waiter thread and the
 * event loop, reported as an information row). Python does the same with two
 * `multiprocessing.Event`s.
 *
 * Method: per round a new child; the clock starts once it runs (ready
 * handshake), so process start-up is excluded; one warm-up round, then the
 * median of ROUNDS.
 *
 * @example
 * // npx tsx bench/event.ts
 * import { benchEvent } from './event.ts'
 * console.table(await benchEvent())
 */
import { Event, Process, isMainProcess } from '../src/index.js'
import { isEntry, median, pause, printRows, runPython } from './harness.ts'
import { pongWorker } from './targets.ts'
import type { BenchRow } from './row.ts'

const N = 20_000
const PY_N = 20_000
const ROUNDS = 3

/** One round: ns per round trip, the parent blocking (`waitSync`) or awaiting (`wait`). */
async function round(n: number, blocking: boolean): Promise<number> {
  const ping = new Event()
  const pong = new Event()
  const p = new Process({ target: pongWorker, args: [ping, pong, n] })
  await p.start()
  await pause(10)
  const t = performance.now()
  if (blocking) {
    for (let i = 0; i < n; i++) {
      ping.set()
      pong.waitSync()
      pong.clear()
    }
  } else {
    for (let i = 0; i < n; i++) {
      ping.set()
      await pong.wait()
      pong.clear()
    }
  }
  const ns = ((performance.now() - t) * 1e6) / n
  await p.join()
  if (p.exitCode !== 0) throw new Error(`event ping-pong: the child exited ${p.exitCode}`)
  return ns
}

/**
 * Runs the Event ping-pong benchmark.
 *
 * @example
 * import { benchEvent } from './event.ts'
 * for (const row of await benchEvent()) console.log(row.name, row.skein / row.peer)
 */
export async function benchEvent(): Promise<BenchRow[]> {
  await round(N / 10, true)
  const sync: number[] = []
  const async_: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    await pause(700) // let the warm spare finish booting: it would compete for the 2 CPUs
    sync.push(await round(N, true))
    await pause(700)
    async_.push(await round(N / 4, false))
  }
  await pause(700)
  const py = runPython<{ ns_per_op: number }>('event.py', [PY_N, ROUNDS]).ns_per_op
  return [
    { name: 'Event ping-pong round trip, 2 processes (waitSync both sides)', skein: median(sync), peer: py, peerName: 'Python multiprocessing.Event', unit: 'ns/op', goal: '<= 0.5x', limit: 0.5 },
    { name: 'Event ping-pong round trip, parent awaits wait()', skein: median(async_), peer: py, peerName: 'Python multiprocessing.Event', unit: 'ns/op', goal: 'info only (async parent)' },
  ]
}

if (isMainProcess() && isEntry(import.meta.url)) printRows(await benchEvent())
