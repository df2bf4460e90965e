/**
 * JoinableQueue: Python's `multiprocessing.JoinableQueue`.
 */
import { Queue, registerQueueClass } from './queue.js'

/**
 * A queue whose producers can wait until every item put has been processed:
 * consumers call `taskDone()` once per item they got, and `join()` resolves
 * when none is left unfinished. (Every skein queue has `taskDone`/`join`, as
 * Python's `queue.Queue` does; this class is the multiprocessing name.)
 *
 * @example
 * import { JoinableQueue } from 'skein'
 * const q = new JoinableQueue<number>()
 * await q.put(1); await q.put(2)
 * for (let i = 0; i < 2; i++) { await q.get(); q.taskDone() }
 * console.log(await q.join()) // true: all done
 *
 * Semantics: `taskDone()` more times than items were put throws `RangeError`.
 */
export class JoinableQueue<T = unknown> extends Queue<T> {}

registerQueueClass('JoinableQueue', JoinableQueue as new () => object)
