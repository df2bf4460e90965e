/**
 * Result reading: every worker sends its results back over one shared queue
 * (protocol.ts's Report); the parent reads it while tasks are in flight and
 * settles each task's sink, in the order the worker ran them.
 *
 * Waking: with tasks in flight the parent blocks up to PARENT_SPIN_MS for a
 * result before waiting asynchronously, so tiny tasks one after another
 * round-trip without the event-loop hop, and a long task costs the parent at
 * most that much blocking per wait. No reader runs while nothing is in
 * flight.
 */
import type { Queue } from '../queue/queue.js'
import { revive, type Report, type WireError } from './protocol.js'
import { itemsOf } from './task.js'
import type { Workers } from './workers.js'

/** How long the parent blocks for a result before waiting asynchronously (ms). */
const PARENT_SPIN_MS = 0.5

/** What the reader tells the engine. */
export interface ReaderEvents {
  /** A worker's initializer threw: no task can run. */
  initFailed(error: WireError): void
  /** A worker ran `items` items of function `fn` in `ms` (sizes later batches). */
  measured(fn: number, items: number, ms: number): void
  /** A report was handled (the engine may dispatch more). */
  reported(): void
  /** The reader stopped: nothing is in flight. */
  stopped(): void
}

/**
 * Reads the result queue and settles tasks.
 *
 * @example
 * // built by PoolCore: const reader = new ResultReader(results, workers, events)
 * // reader.start() after tasks were sent; reader.drain() before judging a dead worker's tasks
 */
export class ResultReader {
  readonly #results: Queue<Report>
  readonly #workers: Workers
  readonly #events: ReaderEvents
  #reading = false
  #abort: AbortController | undefined

  constructor(results: Queue<Report>, workers: Workers, events: ReaderEvents) {
    this.#results = results
    this.#workers = workers
    this.#events = events
  }

  /** Starts reading unless a read loop runs already or nothing is in flight. */
  start(): void {
    if (!this.#reading && this.#workers.inFlight() > 0) void this.#read()
  }

  /** Ends an asynchronous wait (the loop then sees whether anything is still in flight). */
  wake(): void {
    this.#abort?.abort()
  }

  /** Handles every report already queued (a dead worker's results count before its tasks are judged). */
  drain(): void {
    for (;;) {
      let report: Report
      try {
        report = this.#results.getNowait()
      } catch {
        return
      }
      this.#handle(report)
    }
  }

  async #read(): Promise<void> {
    this.#reading = true
    try {
      while (this.#workers.inFlight() > 0) {
        let report: Report
        try {
          // A result due within a fraction of a millisecond (tiny tasks one
          // after another) is worth a short block of this thread; longer
          // waits go through the event loop.
          report = this.#results.getSync({ timeout: PARENT_SPIN_MS })
        } catch {
          const abort = (this.#abort = new AbortController())
          try {
            report = await this.#results.get({ signal: abort.signal })
          } catch {
            continue
          } finally {
            this.#abort = undefined
          }
        }
        this.#handle(report)
        this.#events.reported()
      }
    } finally {
      this.#reading = false
      this.#events.stopped()
    }
  }

  #handle(report: Report): void {
    const [index, results] = report
    if (results === null) {
      this.#events.initFailed(report[2]!)
      return
    }
    const slot = this.#workers.at(index)
    if (slot === undefined) return
    let fn = -1
    let items = 0
    for (let i = 0; i < results.length; i += 3) {
      const seq = results[i] as number
      let task = slot.outstanding.peek()
      while (task !== undefined && task.seq < seq) { slot.outstanding.shift(); task = slot.outstanding.peek() }
      if (task === undefined || task.seq !== seq) continue
      slot.outstanding.shift()
      fn = fn === -1 || fn === task.fn ? task.fn : -2
      items += itemsOf(task)
      if (slot.batchEnds.peek() === seq) slot.batchEnds.shift()
      if (results[i + 1] === 1) task.sink._resolve(results[i + 2])
      else task.sink._reject(revive(results[i + 2] as WireError))
    }
    // One function's results: learn its cost per item.
    const ms = report[2] as number
    if (fn >= 0 && items > 0 && ms >= 0) this.#events.measured(fn, items, ms)
  }
}
