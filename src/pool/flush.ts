/**
 * When a worker sends the results it has gathered (worker.ts): soon enough
 * that a finished result waits at most about FLUSH_MS for the rest of its
 * batch, and rarely enough that tiny tasks still go back many to a message.
 *
 * How: after a task the worker looks at the clock only every `k` tasks
 * (reading it costs ~0.1–0.3 µs, as much as a tiny task), with `k` the
 * number of tasks that fit in a quarter of FLUSH_MS at the pace just seen
 * (1 to 64, and 1 again at each batch's start). At a look it sends if the
 * oldest result held, kept until the next look, would pass FLUSH_MS. So a
 * batch of long tasks sends after each task, a batch of tiny ones once at
 * its end. A long task right after a run of tiny ones holds their results
 * until it ends: the pace gives no warning of it.
 */

/** A result waits at most about this long (ms) for the rest of its batch. */
export const FLUSH_MS = 2
const MAX_STRIDE = 64

/**
 * The send decisions of one worker, batch after batch.
 *
 * @example
 * import { Flusher } from './flush.js'
 * const f = new Flusher()
 * f.begin()
 * const due = f.afterTask(true) // ms the gathered results took, if they should go now; else -1
 */
export class Flusher {
  #stride = 1
  #left = 1
  /** When the results now held began (the batch's start or the last send). */
  #since = 0
  /** The last look at the clock. */
  #last = 0

  /** A batch starts. */
  begin(): void {
    this.#stride = 1
    this.#left = 1
    this.#since = this.#last = performance.now()
  }

  /**
   * After a task (`more`: others follow in this batch): -1 to keep
   * gathering, or the ms the gathered results took, to send them now.
   */
  afterTask(more: boolean): number {
    if (--this.#left > 0) return -1
    const now = performance.now()
    const pace = (now - this.#last) / this.#stride
    this.#last = now
    this.#stride = pace > 0 ? Math.max(1, Math.min(MAX_STRIDE, Math.floor(FLUSH_MS / 4 / pace))) : MAX_STRIDE
    this.#left = this.#stride
    if (!more || now - this.#since + pace * this.#stride <= FLUSH_MS) return -1
    const took = now - this.#since
    this.#since = now
    return took
  }

  /** The batch ended: the ms its unsent results took (they go now). */
  end(): number {
    const now = performance.now()
    const took = now - this.#since
    this.#since = this.#last = now
    return took
  }
}
