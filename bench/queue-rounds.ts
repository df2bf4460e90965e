/**
 * One round of each queue and pipe workload (bench/queue.ts runs them and
 * builds the rows). Every round starts its processes or threads first and
 * has them wait on a `go` Event, so start-up is excluded; the clock runs
 * from `go.set()` to the last item received, as the Python peer's does.
 *
 * @example
 * import { stream } from './queue-rounds.ts'
 * console.log(await stream('int-async', 10_000), 'items/s')
 */
import { MessageChannel, Worker } from 'node:worker_threads'
import { Event, Pipe, Process, Queue, Thread } from '../src/index.js'
import { monoNs, pause } from './harness.ts'
import { queueProducer, pipeProducer, pipeEcho, putRange, getUntilNegative, stamper } from './queue-targets.ts'

const MIB = 1 << 20

/** A child → parent stream: items/s (MB/s for 'mib'), the parent taking one at a time in the form named. */
export type StreamKind = 'int-sync' | 'int-async' | 'dict-sync' | 'dict-async' | 'mib-async' | 'pipe-sync' | 'pipe-async'

export async function stream(kind: StreamKind, n: number): Promise<number> {
  const go = new Event()
  let p: Process
  let drain: () => Promise<void> | void
  if (kind.startsWith('pipe')) {
    const [rx, tx] = Pipe<number>(false)
    p = new Process({ target: pipeProducer, args: [tx, go, n] })
    drain = kind === 'pipe-sync'
      ? () => { for (let i = 0; i < n; i++) rx.recvSync() }
      : async () => { for (let i = 0; i < n; i++) await rx.recv() }
  } else {
    const q = new Queue<unknown>()
    p = new Process({ target: queueProducer, args: [q, go, n, kind.slice(0, kind.indexOf('-'))] })
    drain = kind.endsWith('-sync')
      ? () => { for (let i = 0; i < n; i++) q.getSync() }
      : async () => { for (let i = 0; i < n; i++) await q.get() }
  }
  await p.start()
  await pause(50)
  const t = performance.now()
  go.set()
  await drain()
  const rate = n / ((performance.now() - t) / 1000)
  await finished(p)
  return kind === 'mib-async' ? (rate * MIB) / 1e6 : rate
}

/** Pipe ping-pong with a child that echoes: round trips per second, the parent awaiting `recv()` or blocking in `recvSync()`. */
export async function pingPong(form: 'sync' | 'async', n: number): Promise<number> {
  const go = new Event()
  const [here, there] = Pipe<number>()
  const p = new Process({ target: pipeEcho, args: [there, go, n] })
  await p.start()
  await pause(50)
  const t = performance.now()
  go.set()
  if (form === 'sync') {
    for (let i = 0; i < n; i++) {
      here.send(i)
      here.recvSync()
    }
  } else {
    for (let i = 0; i < n; i++) {
      here.send(i)
      await here.recv()
    }
  }
  const rate = n / ((performance.now() - t) / 1000)
  await finished(p)
  here.close()
  return rate
}

/** 4 producer and 4 consumer processes on one Queue(64): aggregate items/s for `n` items in all. */
export async function fourByFour(n: number): Promise<number> {
  const go = new Event()
  const q = new Queue<number>(64)
  const producers = Array.from({ length: 4 }, () => new Process({ target: putRange, args: [q, go, n / 4] }))
  const consumers = Array.from({ length: 4 }, () => new Process({ target: getUntilNegative, args: [q, go] }))
  for (const x of [...producers, ...consumers]) await x.start()
  await pause(50)
  const t = performance.now()
  go.set()
  for (const p of producers) await finished(p)
  for (let i = 0; i < consumers.length; i++) await q.put(-1)
  for (const c of consumers) await finished(c)
  return n / ((performance.now() - t) / 1000)
}

/** A Thread puts `n` small ints; this thread awaits `get()`: items/s. */
export async function threadQueue(n: number): Promise<number> {
  const go = new Event()
  const q = new Queue<number>()
  const th = new Thread({ target: putRange, args: [q, go, n] })
  await th.start()
  await pause(50)
  const t = performance.now()
  go.set()
  for (let i = 0; i < n; i++) await q.get()
  const rate = n / ((performance.now() - t) / 1000)
  await th.join()
  return rate
}

/** The peer: a worker posts `n` small ints on a MessagePort; this thread receives them: items/s. */
export async function threadPort(n: number): Promise<number> {
  const { port1, port2 } = new MessageChannel()
  const gate = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker(new URL('./queue-port-worker.mjs', import.meta.url), { workerData: { port: port2, gate, n }, transferList: [port2] })
  await new Promise((resolve) => worker.once('online', resolve))
  await pause(50)
  let got = 0
  const all = new Promise<void>((resolve) => port1.on('message', () => { if (++got === n) resolve() }))
  const t = performance.now()
  Atomics.store(gate, 0, 1)
  Atomics.notify(gate, 0)
  await all
  const rate = n / ((performance.now() - t) / 1000)
  port1.close()
  await worker.terminate()
  return rate
}

/**
 * The async wake-up latency: a child puts the time into an empty queue
 * every 2 ms while this thread waits in `await q.get()`; the median delay
 * from the put to the get returning, in ns.
 */
export async function wakeLatency(n: number): Promise<number> {
  const go = new Event()
  const q = new Queue<number>()
  const p = new Process({ target: stamper, args: [q, go, n] })
  await p.start()
  await pause(50)
  go.set()
  const delays: number[] = []
  for (let i = 0; i < n; i++) {
    const sent = await q.get()
    delays.push(monoNs() - sent)
  }
  await finished(p)
  delays.sort((a, b) => a - b)
  return delays[delays.length >> 1]!
}

/** A helper so a round that loses a child fails loudly. */
async function finished(p: Process): Promise<void> {
  await p.join()
  if (p.exitCode !== 0) throw new Error(`queue bench: a child exited ${p.exitCode}`)
}

