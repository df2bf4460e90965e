/**
 * What a pool tells its listeners (`pool.on(…)`): a worker's crash and a
 * task's retry. A listener that throws is printed on stderr, as a throwing
 * callback is; the pool goes on.
 */

/**
 * `pool.on('workerCrash', (crash) => …)`: a worker died without being asked to stop.
 *
 * @example
 * import { Pool } from 'skein'
 * await using pool = new Pool({ processes: 2 })
 * pool.on('workerCrash', (c) => console.warn(`worker ${c.worker}: ${c.reason}; ${c.failed} failed, ${c.requeued} moved`))
 */
export interface WorkerCrash {
  /** Its process id (Pool) or thread id (ThreadPool). */
  worker: number | undefined
  /** `killed by SIGKILL`, `exit code 3`. */
  reason: string
  /** Tasks it was running (or had finished but not reported) that now reject with WorkerCrashedError. */
  failed: number
  /** Tasks it was running that run again (maxAttempts), each with a 'taskRetry' event. */
  retried: number
  /** Tasks it held that had not started: they run on another worker. */
  requeued: number
}

/**
 * `pool.on('taskRetry', (retry) => …)`: a task whose worker died under it runs again (maxAttempts).
 *
 * @example
 * import { ThreadPool } from 'skein'
 * await using pool = new ThreadPool({ threads: 2, maxAttempts: 3 })
 * pool.on('taskRetry', (r) => console.warn(`${r.task}: run ${r.attempt} of ${r.maxAttempts} (${r.reason})`))
 */
export interface TaskRetry {
  /** The task function's export name. */
  task: string
  /** The run about to start (2 for the first retry). */
  attempt: number
  maxAttempts: number
  /** The worker that died, and why. */
  worker: number | undefined
  reason: string
}

/**
 * The events of a pool and their payloads.
 *
 * @example
 * import type { PoolEvents } from 'skein'
 * const log = (c: PoolEvents['workerCrash']) => console.warn(c.reason)
 */
export interface PoolEvents {
  workerCrash: WorkerCrash
  taskRetry: TaskRetry
}

export type PoolEventName = keyof PoolEvents

/**
 * A pool's listeners.
 *
 * @example
 * import { PoolListeners } from './events.js'
 * const l = new PoolListeners()
 * l.on('workerCrash', (c) => console.log(c.reason))
 * l.emit('workerCrash', { worker: 1, reason: 'killed by SIGKILL', failed: 1, retried: 0, requeued: 0 })
 */
export class PoolListeners {
  readonly #listeners = new Map<PoolEventName, Set<(payload: never) => void>>()

  on<E extends PoolEventName>(event: E, listener: (payload: PoolEvents[E]) => void): void {
    checkEvent(event, listener)
    let set = this.#listeners.get(event)
    if (set === undefined) this.#listeners.set(event, (set = new Set()))
    set.add(listener)
  }

  off<E extends PoolEventName>(event: E, listener: (payload: PoolEvents[E]) => void): void {
    this.#listeners.get(event)?.delete(listener)
  }

  /** Whether anyone listens (the engine skips building payloads otherwise). */
  has(event: PoolEventName): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0
  }

  emit<E extends PoolEventName>(event: E, payload: PoolEvents[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (p: PoolEvents[E]) => void)(payload)
      } catch (error) {
        process.stderr.write(`skein pool: a '${event}' listener threw: ${(error as Error)?.stack ?? String(error)}\n`)
      }
    }
  }
}

function checkEvent(event: unknown, listener: unknown): void {
  if (event !== 'workerCrash' && event !== 'taskRetry') throw new TypeError(`pool.on(event, listener): event must be 'workerCrash' or 'taskRetry' (got ${String(event)})`)
  if (typeof listener !== 'function') throw new TypeError(`pool.on('${event}', listener): listener must be a function`)
}
