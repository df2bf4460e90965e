/**
 * Dispatch and batching: which worker gets which backlog tasks, in what
 * batches.
 *
 * A worker holds at most BATCHES_IN_FLIGHT batches, sized from the backlog:
 * `ceil(pending / (workers × 2))`, between 1 and MAX_BATCH tasks, so batches
 * shrink as the backlog does and the last ones are short (no worker idles
 * long at the end). Exception: workers report how long their results took,
 * and a backlog estimated at under QUICK_BACKLOG_MS per worker goes out as
 * one batch per worker — splitting it would cost more in messages and
 * wake-ups than the imbalance it saves.
 *
 * A batch is one structured clone of a flat array (protocol.ts); a function
 * a worker has not seen travels with the first batch that uses it.
 */
import type { FunctionRef } from '../runtime/locate.js'
import { Fifo } from './fifo.js'
import type { Slot, Workers } from './workers.js'
import { itemsOf, type Task } from './task.js'

const MAX_BATCH = 512
const BATCHES_IN_FLIGHT = 2
/**
 * A backlog estimated to take at most this long per worker (ms) goes out in
 * one batch per worker: splitting it finer for balance would cost more in
 * messages and wake-ups than the imbalance it saves.
 */
const QUICK_BACKLOG_MS = 2

/**
 * The backlog and how it goes out.
 *
 * @example
 * // built by PoolCore: const dispatcher = new Dispatcher(workers, refs, maxTasksPerChild, 'Pool')
 * // dispatcher.pending.push(task); dispatcher.fill(workers.live(), (slot) => false)
 */
export class Dispatcher {
  /** Tasks waiting for a worker, oldest first. */
  readonly pending = new Fifo<Task>()
  readonly #workers: Workers
  readonly #refs: readonly FunctionRef[]
  readonly #maxTasks: number | null
  readonly #kind: string
  /** Per task function (by index): ms per item, averaged over what workers report. */
  readonly #msPerItem: number[] = []

  constructor(workers: Workers, refs: readonly FunctionRef[], maxTasks: number | null, kind: string) {
    this.#workers = workers
    this.#refs = refs
    this.#maxTasks = maxTasks
    this.#kind = kind
  }

  /**
   * Sends backlog tasks to every slot in `live` with room, one batch per
   * slot per pass, the least busy slots first (a worker with nothing in
   * flight gets the next task before one that is running a long task),
   * until the backlog is empty or no slot has room. A slot for which
   * `stale(slot)` is true is stopped instead (it was started without a task
   * module it would now need).
   */
  fill(live: readonly Slot[], stale: (slot: Slot) => boolean): void {
    const pending = this.pending
    const share = this.#quickShare()
    const size = this.#workers.size
    let progress = true
    while (progress && pending.length > 0) {
      progress = false
      const leastBusyFirst = live.length > 1 ? [...live].sort((a, b) => a.batchEnds.length - b.batchEnds.length) : live
      for (const slot of leastBusyFirst) {
        if (stale(slot)) this.#workers.stop(slot)
        if (slot.stopped || slot.batchEnds.length >= BATCHES_IN_FLIGHT || pending.length === 0) continue
        let n = share ?? Math.min(MAX_BATCH, Math.max(1, Math.ceil(pending.length / (size * BATCHES_IN_FLIGHT))))
        if (this.#maxTasks !== null) n = Math.min(n, this.#maxTasks - slot.sent)
        const tasks: Task[] = []
        while (tasks.length < n && pending.length > 0) {
          const task = pending.shift()!
          if (!task.cancelled) tasks.push(task)
        }
        if (tasks.length > 0) this.#send(slot, tasks)
        if (this.#maxTasks !== null && slot.sent >= this.#maxTasks) this.#workers.stop(slot)
        progress = true
      }
    }
  }

  /** A worker ran `items` items of function `fn` in `ms`: learn its cost per item (half the old estimate, half the new). */
  learn(fn: number, items: number, ms: number): void {
    const seen = ms / items
    const old = this.#msPerItem[fn]
    this.#msPerItem[fn] = old === undefined ? seen : (old + seen) / 2
  }

  /**
   * One share per worker when the whole backlog is estimated to be quick,
   * else undefined (guided sizes). The estimate is the head task's
   * function's measured ms per item.
   */
  #quickShare(): number | undefined {
    const head = this.pending.peek()
    const perItem = head === undefined ? undefined : this.#msPerItem[head.fn]
    if (perItem === undefined) return undefined
    const size = this.#workers.size
    if (perItem * itemsOf(head!) * this.pending.length > QUICK_BACKLOG_MS * size) return undefined
    return Math.min(MAX_BATCH, Math.ceil(this.pending.length / size))
  }

  /** Puts one batch in `slot`'s inbox; a batch that cannot be cloned is split, and a single uncloneable task rejects. */
  #send(slot: Slot, tasks: Task[]): void {
    const defs: Array<number | string> = []
    const added: number[] = []
    const flat: unknown[] = []
    const firstSeq = slot.seq
    for (const task of tasks) {
      if (!slot.known.has(task.fn)) {
        const ref = this.#refs[task.fn]
        slot.known.add(task.fn)
        added.push(task.fn)
        defs.push(task.fn, ref.url, ref.name)
      }
      task.seq = ++slot.seq
      flat.push(task.seq, task.fn, task.kind, task.payload)
    }
    try {
      slot.inbox.putSync({ defs, tasks: flat })
    } catch (error) {
      slot.seq = firstSeq
      for (const fn of added) slot.known.delete(fn)
      for (const task of tasks) task.seq = 0
      if (tasks.length === 1) tasks[0].sink._reject(cloneError(this.#kind, error))
      else for (const task of tasks) this.#send(slot, [task])
      return
    }
    slot.batchEnds.push(slot.seq)
    slot.sent += tasks.length
    for (const task of tasks) slot.outstanding.push(task)
  }
}

/** The error of a task whose arguments cannot be sent. */
function cloneError(kind: string, error: unknown): Error {
  if (error instanceof TypeError) return new TypeError(`${kind}: a task argument ${error.message.replace(/^[^:]*: the item /, '')}`, { cause: error })
  return error as Error
}
