/**
 * Queue and Pipe throughput: a child process sends, the parent receives.
 *
 * Method: per round a new child that waits on a `go` Event (start-up is
 * excluded); the clock runs from `go.set()` to the last item received, with
 * the child producing as fast as it can and the parent taking with the
 * blocking form (`getSync`/`recvSync`, what a consumer loop in a worker
 * does; the awaited form is an information row). Python does the same with
 * `multiprocessing.Queue` / `Pipe`. Median of ROUNDS after a warm-up round.
 *
 * @example
 * // npx tsx bench/queue.ts
 * import { benchQueue } from './queue.ts'
 * console.table(await benchQueue())
 */
import { Event, Pipe, Process, Queue, isMainProcess } from '../src/index.js'
import { isEntry, median, pause, printRows, runPython } from './harness.ts'
import { queueProducer, pipeProducer } from './queue-targets.ts'
import type { BenchRow } from './row.ts'

const N = 200_000
const ROUNDS = 3

type Kind = 'int' | 'dict' | 'int-async' | 'pipe'

async function round(kind: Kind, n: number): Promise<number> {
  const go = new Event()
  let p: Process
  let drain: () => Promise<void> | void
  if (kind === 'pipe') {
    const [rx, tx] = Pipe<number>(false)
    p = new Process({ target: pipeProducer, args: [tx, go, n] })
    drain = () => {
      for (let i = 0; i < n; i++) rx.recvSync()
    }
  } else {
    const q = new Queue<unknown>()
    p = new Process({ target: queueProducer, args: [q, go, n, kind === 'dict' ? 'dict' : 'int'] })
    drain = kind === 'int-async'
      ? async () => {
        for (let i = 0; i < n; i++) await q.get()
      }
      : () => {
        for (let i = 0; i < n; i++) q.getSync()
      }
  }
  await p.start()
  await pause(50)
  const t = performance.now()
  go.set()
  await drain()
  const rate = n / ((performance.now() - t) / 1000)
  await p.join()
  if (p.exitCode !== 0) throw new Error(`queue bench: the child exited ${p.exitCode}`)
  return rate
}

async function measure(kind: Kind, n: number): Promise<number> {
  await round(kind, n / 10)
  const rates: number[] = []
  for (let r = 0; r < ROUNDS; r++) rates.push(await round(kind, n))
  return median(rates)
}

/**
 * Runs the queue and pipe benchmarks.
 *
 * @example
 * import { benchQueue } from './queue.ts'
 * for (const row of await benchQueue()) console.log(row.name, row.skein / row.peer)
 */
export async function benchQueue(): Promise<BenchRow[]> {
  const ints = await measure('int', N)
  const intsAsync = await measure('int-async', N)
  const dicts = await measure('dict', N / 2)
  const pipe = await measure('pipe', N)
  await pause(300)
  const py = (kind: string, n: number) => runPython<{ msgs_per_s: number }>('mp_queue.py', [kind, n, ROUNDS]).msgs_per_s
  const pyInts = py('queue-int', N)
  const pyDicts = py('queue-dict', N / 2)
  const pyPipe = py('pipe-int', N)
  return [
    { name: 'Queue, small ints, child → parent (getSync)', skein: ints, peer: pyInts, peerName: 'Python multiprocessing.Queue', unit: 'ops/s', goal: '>= 2x', limit: 2 },
    { name: 'Queue, small ints, child → parent (await get)', skein: intsAsync, peer: pyInts, peerName: 'Python multiprocessing.Queue', unit: 'ops/s', goal: 'info only (async consumer)' },
    { name: 'Queue, small objects (JSON-exact path), child → parent', skein: dicts, peer: pyDicts, peerName: 'Python multiprocessing.Queue', unit: 'ops/s', goal: '>= 1x', limit: 1 },
    { name: 'Pipe, small ints, child → parent (recvSync)', skein: pipe, peer: pyPipe, peerName: 'Python multiprocessing.Pipe', unit: 'ops/s', goal: '>= 2x', limit: 2 },
  ]
}

if (isMainProcess() && isEntry(import.meta.url)) printRows(await benchQueue())
