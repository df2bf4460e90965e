/**
 * PriorityQueue: Python's `queue.PriorityQueue`, between tasks, threads and processes.
 */
import { Queue, registerQueueClass } from './queue.js'
import { PRIORITY } from './layout.js'

/**
 * A queue of `[priority, value]` pairs: `get` takes the lowest priority
 * first, and equal priorities in the order they were put (FIFO). Same
 * interface as `Queue`.
 *
 * @example
 * import { PriorityQueue } from 'skein'
 * const jobs = new PriorityQueue<string>()
 * jobs.putNowait([2, 'write']); jobs.putNowait([1, 'read']); jobs.putNowait([2, 'send'])
 * console.log(jobs.getNowait(), jobs.getNowait(), jobs.getNowait()) // [1,'read'] [2,'write'] [2,'send']
 *
 * Semantics: priorities are numbers (bigints are converted when exactly
 * representable); a NaN or any other type throws `TypeError` at `put`.
 * Python lets any comparable be a priority; here a tie-breaking counter is
 * not needed, because equal priorities come out first-in first-out.
 */
export class PriorityQueue<T = unknown> extends Queue<[number, T]> {
  static override readonly order: number = PRIORITY

  protected override framePriority(item: [number, T]): number {
    if (!Array.isArray(item) || item.length !== 2) {
      throw new TypeError(`PriorityQueue.put(): items are [priority, value] pairs (got ${describe(item)}); e.g. q.put([1, 'job'])`)
    }
    let priority: unknown = item[0]
    if (typeof priority === 'bigint' && BigInt(Number(priority)) === priority) priority = Number(priority)
    if (typeof priority !== 'number' || Number.isNaN(priority)) {
      throw new TypeError(`PriorityQueue.put(): the priority must be a number, not ${describe(item[0])}; map other keys to numbers first`)
    }
    return priority
  }

  protected override frameValue(item: [number, T]): unknown {
    return item[1]
  }

  protected override fromFrame(priority: number, value: unknown): [number, T] {
    return [priority, value as T]
  }
}

function describe(x: unknown): string {
  return typeof x === 'bigint' ? `${x}n` : typeof x === 'number' ? String(x) : typeof x
}

registerQueueClass('PriorityQueue', PriorityQueue as new () => object)
