/**
 * The cluster JoinableQueue: Python's `multiprocessing.JoinableQueue`
 * across machines.
 */
import type { ClusterConnection } from '../redis/connection.js'
import { ClusterQueue } from './queue.js'

/**
 * A cluster queue whose producers wait until every item put has been
 * processed, on any machine: consumers call `taskDone()` once per item they
 * got, and `join()` resolves when none is left unfinished. (Every cluster
 * queue has `taskDone`/`join`, as every local one does; this is the
 * multiprocessing name, with keys of its own: `ns:JoinableQueue:name…`.)
 *
 * @example
 * import { connect } from 'skein/cluster'
 * await using cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const q = cluster.JoinableQueue<number>('work')
 * await q.put(1); await q.put(2)
 * for (let i = 0; i < 2; i++) { await q.get(); await q.taskDone() }
 * console.log(await q.join()) // true: all done
 *
 * Semantics: the count of unfinished items is a Redis counter, incremented
 * by `put` in the same script that pushes the item and decremented by
 * `taskDone` (more calls than items rejects with `RangeError`); `join`
 * waits for the message published when it reaches 0.
 */
export class ClusterJoinableQueue<T = unknown> extends ClusterQueue<T> {
  /** @internal Use `cluster.JoinableQueue(name, maxsize)`. */
  constructor(cluster: ClusterConnection, name: string, maxsize: number) {
    super(cluster, name, maxsize, 'JoinableQueue')
  }
}
