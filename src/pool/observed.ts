/**
 * A pool as `skein top` shows it: one object record in the registry
 * (observe/records.ts) with its workers, how many are busy, its backlog, and
 * how many tasks are done and failed. Counting costs a wrapper per submitted
 * task and one store when it settles; workers, busy and backlog are sampled
 * once a second (an unref'd timer) from what the pool's parts say.
 */
import { KIND, POOL_BACKLOG, POOL_BUSY, POOL_DONE, POOL_FAILED, POOL_WORKERS } from '../observe/layout.js'
import { dropObject, publishObject, setStat, type ObjectRecord } from '../observe/records.js'
import type { Sink } from './task.js'

/** What a pool's parts say about it now. */
export interface PoolNow {
  workers: number
  busy: number
  backlog: number
}

/** @internal The registry record of one pool. */
export class PoolStats {
  readonly #record: ObjectRecord
  readonly #timer: NodeJS.Timeout
  readonly #now: () => PoolNow
  #done = 0
  #failed = 0

  constructor(owner: object, kind: string, name: string, now: () => PoolNow) {
    this.#record = publishObject(owner, kind === 'ThreadPool' ? KIND.ThreadPool : KIND.Pool, name)
    this.#now = now
    // The timer must not keep a dropped pool alive: it reaches this record through a WeakRef.
    const self = new WeakRef(this)
    const timer = this.#timer = setInterval(() => {
      const stats = self.deref()
      if (stats === undefined) clearInterval(timer)
      else stats.write()
    }, 1000)
    timer.unref()
  }

  /** `sink`, counting how its task ends. */
  counting(sink: Sink): Sink {
    return {
      _resolve: (value) => {
        setStat(this.#record, POOL_DONE, ++this.#done)
        sink._resolve(value)
      },
      _reject: (error) => {
        setStat(this.#record, POOL_FAILED, ++this.#failed)
        sink._reject(error)
      },
    }
  }

  /** Writes the counters now. */
  write(): void {
    const now = this.#now()
    setStat(this.#record, POOL_WORKERS, now.workers)
    setStat(this.#record, POOL_BUSY, now.busy)
    setStat(this.#record, POOL_BACKLOG, now.backlog)
    setStat(this.#record, POOL_DONE, this.#done)
    setStat(this.#record, POOL_FAILED, this.#failed)
  }

  /** The pool is gone (joined after close or terminate). */
  end(): void {
    clearInterval(this.#timer)
    dropObject(this.#record)
  }
}
