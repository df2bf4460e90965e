/**
 * Queue and Pipe benchmarks against Python's `multiprocessing.Queue` and
 * `Pipe` (python/mp_queue.py does the same workloads), with the goals of
 * the queue issues: small items ≥ 10x, small objects and 1 MiB items ≥ 3x,
 * pipes ≥ 5x, 4+4 processes on a Queue(64) ≥ 10x (also over 1M items: a
 * short round is mostly eight fresh children's first page faults and
 * compilation; both rows are printed, labelled), thread → thread ≥ 3x a
 * MessagePort, and an async get woken from another process no slower than
 * Python's. The awaited forms are goal rows, as the blocking ones are.
 *
 * Method: each workload's round (queue-rounds.ts) starts its children
 * first, so start-up is excluded; a warm-up round at a tenth of the size,
 * then the median of ROUNDS. skein runs first, then Python, in one run.
 *
 * @example
 * // npx tsx bench/queue.ts
 * import { benchQueue } from './queue.ts'
 * console.table(await benchQueue())
 */
import { isMainProcess } from '../src/index.js'
import { isEntry, median, pause, printRows, runPython } from './harness.ts'
import { stream, pingPong, fourByFour, threadQueue, threadPort, wakeLatency } from './queue-rounds.ts'
import type { BenchRow } from './row.ts'

const ROUNDS = 3
const N = 200_000
const PY = 'Python multiprocessing.Queue'
const PY_PIPE = 'Python multiprocessing.Pipe'

async function measure(n: number, round: (n: number) => Promise<number>): Promise<number> {
  await round(Math.max(1, Math.floor(n / 10)))
  const figures: number[] = []
  for (let r = 0; r < ROUNDS; r++) figures.push(await round(n))
  return median(figures)
}

function python(kind: string, n: number, rounds = ROUNDS): number {
  const out = runPython<{ msgs_per_s?: number; ns?: number }>('mp_queue.py', [kind, n, rounds])
  return (out.msgs_per_s ?? out.ns)!
}

/**
 * Runs the queue and pipe benchmarks.
 *
 * @example
 * import { benchQueue } from './queue.ts'
 * for (const row of await benchQueue()) console.log(row.name, row.skein / row.peer)
 */
export async function benchQueue(): Promise<BenchRow[]> {
  const skein = {
    intsAsync: await measure(N, (n) => stream('int-async', n)),
    intsSync: await measure(N, (n) => stream('int-sync', n)),
    dictsAsync: await measure(N / 2, (n) => stream('dict-async', n)),
    dictsSync: await measure(N / 2, (n) => stream('dict-sync', n)),
    mib: await measure(200, (n) => stream('mib-async', n)),
    pipeAsync: await measure(N, (n) => stream('pipe-async', n)),
    pipeSync: await measure(N, (n) => stream('pipe-sync', n)),
    pingAsync: await measure(N / 10, (n) => pingPong('async', n)),
    pingSync: await measure(N / 10, (n) => pingPong('sync', n)),
    fourByFour: await measure(N, fourByFour),
    fourByFourLong: await measure(5 * N, fourByFour),
    thread: await measure(N, threadQueue),
    port: await measure(N, threadPort),
    latency: await measure(200, wakeLatency),
  }
  await pause(300)
  const py = {
    ints: python('queue-int', N),
    dicts: python('queue-dict', N / 2),
    mib: python('queue-mib', 200),
    pipe: python('pipe-int', N),
    ping: python('pipe-pingpong', N / 10),
    fourByFour: python('queue-4x4', N / 5),
    fourByFourLong: python('queue-4x4', 5 * N, 1),
    latency: python('queue-latency', 200),
  }
  const row = (name: string, skeinFigure: number, peer: number, peerName: string, goal: string, limit: number, unit: BenchRow['unit'] = 'ops/s'): BenchRow =>
    ({ name, skein: skeinFigure, peer, peerName, unit, goal, limit })
  return [
    row('Queue, small ints, child → parent (await get)', skein.intsAsync, py.ints, PY, '>= 10x', 10),
    row('Queue, small ints, child → parent (getSync)', skein.intsSync, py.ints, PY, '>= 10x', 10),
    row('Queue, small objects { id, name }, child → parent (await get)', skein.dictsAsync, py.dicts, PY, '>= 3x', 3),
    row('Queue, small objects { id, name }, child → parent (getSync)', skein.dictsSync, py.dicts, PY, '>= 3x', 3),
    row('Queue, 1 MiB Buffers, child → parent (await get)', skein.mib, py.mib, PY, '>= 3x', 3, 'MB/s'),
    row('Pipe, small ints, one-way (await recv)', skein.pipeAsync, py.pipe, PY_PIPE, '>= 5x', 5),
    row('Pipe, small ints, one-way (recvSync)', skein.pipeSync, py.pipe, PY_PIPE, '>= 5x', 5),
    row('Pipe ping-pong, round trips (await recv)', skein.pingAsync, py.ping, PY_PIPE, '>= 5x', 5),
    row('Pipe ping-pong, round trips (recvSync)', skein.pingSync, py.ping, PY_PIPE, '>= 5x', 5),
    row('Queue(64), 4 producer + 4 consumer processes, aggregate', skein.fourByFour, py.fourByFour, 'Python multiprocessing.Queue(64), same shape', '>= 10x', 10),
    row('Queue(64), 4 + 4 processes, 1M items (the children past their first 100 ms)', skein.fourByFourLong, py.fourByFourLong, 'Python multiprocessing.Queue(64), 1M items', '>= 10x', 10),
    row('Queue, Thread → this thread (await get)', skein.thread, skein.port, 'MessagePort, worker → this thread', '>= 3x', 3),
    row('await q.get() on an empty queue, woken by another process (latency)', skein.latency, py.latency, PY, '<= 1x', 1, 'ns/op'),
  ]
}

if (isMainProcess() && isEntry(import.meta.url)) printRows(await benchQueue())
