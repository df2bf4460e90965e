/**
 * Child-process targets of the queue and pipe benchmarks (no top-level code:
 * loading this module costs a child nothing).
 */
import type { Queue, Connection, Event } from '../src/index.js'

/** Waits for `go`, then puts `n` items (`kind` 'int': i, 'dict': a small object). */
export function queueProducer(q: Queue<unknown>, go: Event, n: number, kind: 'int' | 'dict'): void {
  go.waitSync()
  if (kind === 'int') for (let i = 0; i < n; i++) q.putSync(i)
  else for (let i = 0; i < n; i++) q.putSync({ id: i, name: 'item', tags: ['a', 'b'] })
}

/** Waits for `go`, then sends `n` small ints. */
export function pipeProducer(conn: Connection<number>, go: Event, n: number): void {
  go.waitSync()
  for (let i = 0; i < n; i++) conn.send(i)
  conn.close()
}
