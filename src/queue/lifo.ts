/**
 * LifoQueue: Python's `queue.LifoQueue`, between tasks, threads and processes.
 */
import { Queue, registerQueueClass } from './queue.js'
import { LIFO } from './layout.js'

/**
 * A stack: `get` takes the item put last. Same interface as `Queue`.
 *
 * @example
 * import { LifoQueue } from 'skein'
 * const stack = new LifoQueue<number>()
 * for (const n of [1, 2, 3]) stack.putNowait(n)
 * console.log(stack.getNowait(), stack.getNowait(), stack.getNowait()) // 3 2 1
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  static override readonly order: number = LIFO
}

registerQueueClass('LifoQueue', LifoQueue as new () => object)
