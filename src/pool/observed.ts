/**
 * A pool as `skein top` shows it: one object record in the registry
 * (observe/records.ts) with its workers, how many are busy, its backlog, and
 * how many tasks are done and failed, all sampled once a second (an unref'd
 * timer) from the pool's own `stats()` (stats.ts): nothing is counted twice,
 * and a task costs the registry nothing.
 */
import { KIND, POOL_BACKLOG, POOL_BUSY, POOL_DONE, POOL_FAILED, POOL_WORKERS } from '../observe/layout.js'
import { dropObject, publishObject, setStat, type ObjectRecord } from '../observe/records.js'
import type { PoolStats } from './stats.js'

/** @internal The registry record of one pool, written from its {@link PoolStats} once a second. */
export class PoolRecord {
  readonly #record: ObjectRecord
  readonly #timer: NodeJS.Timeout
  readonly #now: () => PoolStats

  constructor(owner: object, kind: string, name: string, now: () => PoolStats) {
    this.#record = publishObject(owner, kind === 'ThreadPool' ? KIND.ThreadPool : KIND.Pool, name)
    this.#now = now
    // The timer must not keep a dropped pool alive: it reaches this record through a WeakRef.
    const self = new WeakRef(this)
    const timer = this.#timer = setInterval(() => {
      const record = self.deref()
      if (record === undefined) clearInterval(timer)
      else record.write()
    }, 1000)
    timer.unref()
  }

  /** Writes the counters now. */
  write(): void {
    const now = this.#now()
    setStat(this.#record, POOL_WORKERS, now.alive)
    setStat(this.#record, POOL_BUSY, now.busy)
    setStat(this.#record, POOL_BACKLOG, now.backlog)
    setStat(this.#record, POOL_DONE, now.done)
    setStat(this.#record, POOL_FAILED, now.failed)
  }

  /** The pool is gone (joined after close or terminate). */
  end(): void {
    this.write()
    clearInterval(this.#timer)
    dropObject(this.#record)
  }
}
