/**
 * SimpleQueue: Python's `multiprocessing.SimpleQueue` / `queue.SimpleQueue`.
 */
import { Queue, registerQueueClass } from './queue.js'
import type { NameOptions } from '../observe/names.js'

/**
 * An unbounded FIFO queue: `put`, `get`, `empty` (and the rest of `Queue`,
 * which it is).
 *
 * @example
 * import { SimpleQueue } from 'skein'
 * const q = new SimpleQueue<string>()
 * await q.put('hello')
 * console.log(q.empty(), await q.get()) // false hello
 */
export class SimpleQueue<T = unknown> extends Queue<T> {
  constructor(opts?: NameOptions) {
    super(0, opts)
  }
}

registerQueueClass('SimpleQueue', SimpleQueue as new () => object)
