/**
 * Child-process and thread targets of the queue and pipe benchmarks (no
 * top-level code: loading this module costs a child nothing).
 */
import type { Queue, Connection, Event } from '../src/index.js'

const MIB = 1 << 20

/** The shared clock (CLOCK_MONOTONIC, ns) as a double: exact below 2^53. */
function monoNs(): number {
  return Number(process.hrtime.bigint())
}

/** Blocks this thread for `ms` milliseconds. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Waits for `go`, then puts `n` items: small ints, small objects `{ id, name }`, or 1 MiB Buffers. */
export function queueProducer(q: Queue<unknown>, go: Event, n: number, kind: 'int' | 'dict' | 'mib'): void {
  go.waitSync()
  if (kind === 'int') for (let i = 0; i < n; i++) q.putSync(i)
  else if (kind === 'dict') for (let i = 0; i < n; i++) q.putSync({ id: i, name: 'item' })
  else {
    const blob = Buffer.alloc(MIB)
    for (let i = 0; i < n; i++) q.putSync(blob)
  }
}

/** Waits for `go`, then sends `n` small ints. */
export function pipeProducer(conn: Connection<number>, go: Event, n: number): void {
  go.waitSync()
  for (let i = 0; i < n; i++) conn.send(i)
  conn.close()
}

/** Waits for `go`, then sends back each of `n` messages. */
export function pipeEcho(conn: Connection<number>, go: Event, n: number): void {
  go.waitSync()
  for (let i = 0; i < n; i++) conn.send(conn.recvSync())
}

/** Waits for `go`, then puts `n` small ints. */
export function putRange(q: Queue<number>, go: Event, n: number): void {
  go.waitSync()
  for (let i = 0; i < n; i++) q.putSync(i)
}

/** Waits for `go`, then gets until it takes a negative sentinel. */
export function getUntilNegative(q: Queue<number>, go: Event): void {
  go.waitSync()
  while (q.getSync() >= 0);
}

/** Waits for `go`, then every 2 ms puts the time (ns) into a queue its reader waits on, empty. */
export function stamper(q: Queue<number>, go: Event, n: number): void {
  go.waitSync()
  for (let i = 0; i < n; i++) {
    sleepSync(2)
    q.putSync(monoNs())
  }
}
