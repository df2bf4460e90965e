/**
 * The pool engine, one implementation over two backends (worker processes
 * or worker threads, see backend.ts): tasks wait in the parent, go to
 * workers in batches over each worker's own queue, and come back over one
 * shared result queue.
 *
 * Why per-worker inboxes and not one shared task queue: the parent then
 * knows exactly which tasks each worker holds, so a worker's death rejects
 * only the task it was running (crash.ts) and the tasks queued behind it run
 * elsewhere.
 *
 * The parts: `FunctionTable` (functions.ts) numbers task functions,
 * `Dispatcher` (dispatch.ts) holds the backlog and sizes and sends batches,
 * `Workers` (workers.ts) starts workers in slots and reports their exits,
 * `ResultReader` (results.ts) settles tasks from the result queue, and
 * crash.ts judges what a dead worker held. This file holds the pool's
 * lifecycle (running → closed → terminated, or broken), submissions and
 * feeds, and ties the parts together.
 */
import { SkeinError, StateError } from '../errors.js'
import { describeFunction, type FunctionRef } from '../runtime/locate.js'
import { Queue } from '../queue/queue.js'
import type { PoolBackend } from './backend.js'
import { exitReason, settleHeld, type HeldOutcome } from './crash.js'
import { Dispatcher } from './dispatch.js'
import { PoolListeners } from './events.js'
import { FunctionTable } from './functions.js'
import { revive, type Kind, type Report } from './protocol.js'
import { PoolRecord } from './observed.js'
import { ResultReader } from './results.js'
import { PoolCounters, type PoolStats } from './stats.js'
import { newTask, type Sink, type Task } from './task.js'
import { Workers, type Slot } from './workers.js'


/**
 * Tasks from a source read lazily (imap): unlike `submit`, a feed still
 * takes tasks after `close()`, and a closed pool keeps its workers until
 * every open feed has ended, as Python's pool finishes an imap's items.
 */
export interface Feed {
  /** Queues one task; false (and the sink rejected) once the pool is terminated or broken: read no more. */
  submit(fn: Function, kind: Kind, payload: unknown, sink: Sink): boolean
  /** No more tasks from this source (idempotent). */
  end(): void
}

/** Pool construction options common to both pools. */
export interface CoreOptions {
  initializer?: (...args: never[]) => unknown
  initargs?: readonly unknown[]
  maxTasksPerChild?: number | null
  maxAttempts?: number
  /** The pool's name (checked by makeCore). */
  name: string
}

/**
 * A pool's tasks were rejected because `terminate()` was called before they finished.
 *
 * @example
 * import { ThreadPool, PoolTerminatedError } from 'skein'
 * import { sleepMs } from './work.js'
 * const pool = new ThreadPool({ threads: 1 })
 * const r = pool.apply(sleepMs, [1000]); pool.terminate()
 * await r.catch((e) => console.log(e instanceof PoolTerminatedError)) // true
 */
export class PoolTerminatedError extends SkeinError {
  constructor(message = 'the pool was terminated before this task finished: call close() and join() instead of terminate() to let queued tasks run') {
    super(message, 'ERR_SKEIN_POOL_TERMINATED')
  }
}

/** @internal The engine shared by Pool and ThreadPool. */
export class PoolCore {
  readonly size: number
  state: 'running' | 'closed' | 'terminated' = 'running'
  /** `pool.on('workerCrash' | 'taskRetry', …)` listeners. */
  readonly listeners = new PoolListeners()
  /** Done, failed, crashed, retried: see stats(). */
  readonly #counters = new PoolCounters()
  readonly #backend: PoolBackend
  readonly #workers: Workers
  readonly #functions: FunctionTable
  readonly #dispatcher: Dispatcher
  readonly #reader: ResultReader
  readonly #initargs: readonly unknown[]
  readonly #maxTasks: number | null
  readonly #maxAttempts: number
  readonly #initRef: Promise<FunctionRef | null>
  #broken: Error | undefined
  #dispatchScheduled = false
  #exitWaiters: Array<() => void> = []
  /** Submitted tasks whose function is still being located. */
  #locating = 0
  /** Open feeds, each with the callback told when the pool stops taking tasks (close, terminate, broken). */
  readonly #feeds = new Set<() => void>()
  /** A ref'd timer while tasks are unfinished: workers are daemons and queue waits do not hold the event loop. */
  #keepAlive: NodeJS.Timeout | undefined
  /** Resolves when the first task's module is known, or the pool stops taking tasks (preloading backends start workers then). */
  readonly #firstTask: Promise<void>
  #firstTaskSeen!: () => void
  /** The pool in the registry (skein top): workers, busy, backlog, done, failed. */
  readonly #record: PoolRecord

  constructor(backend: PoolBackend, size: number, options: CoreOptions) {
    this.#backend = backend
    this.size = size
    this.#initargs = options.initargs ?? []
    this.#maxTasks = options.maxTasksPerChild ?? null
    this.#maxAttempts = options.maxAttempts ?? 1
    this.#firstTask = new Promise((resolve) => { this.#firstTaskSeen = resolve })
    if (!backend.preloads) this.#firstTaskSeen()
    const results = new Queue<Report>(0, { name: `${options.name} results` })
    this.#workers = new Workers(backend, size, results, (slot, code) => this.#onExit(slot, code))
    this.#functions = new FunctionTable(backend, () => this.#firstTaskSeen())
    this.#dispatcher = new Dispatcher(this.#workers, this.#functions.refs, this.#maxTasks, backend.kind)
    this.#reader = new ResultReader(results, this.#workers, {
      initFailed: (wire) => {
        const init = revive(wire)
        this.#breakWith(new Error(`${backend.kind}: the initializer threw ${init.name}: ${init.message} — no task can run; fix the initializer`, { cause: init }))
      },
      measured: (fn, items, ms) => this.#dispatcher.learn(fn, items, ms),
      reported: () => { if (this.#dispatcher.pending.length > 0 || this.state === 'closed') this.#dispatch() },
      stopped: () => this.#idleCheck(),
    }, this.#counters)
    const init = options.initializer
    this.#initRef = init === undefined ? Promise.resolve(null) : describeFunction(init).then((ref) => {
      this.#functions.need(ref.url)
      return ref
    })
    this.#initRef.catch(() => {})
    for (let i = 0; i < size; i++) this.#startSlot(i)
    this.#record = new PoolRecord(this, backend.kind, options.name, () => this.stats())
  }

  /** Queues one task; its outcome goes to `sink`. Throws when the pool no longer takes tasks. */
  submit(fn: Function, kind: Kind, payload: unknown, sink: Sink, signal?: AbortSignal): void {
    this.checkOpen()
    this.#accept(fn, kind, payload, sink, signal)
  }

  /** Opens a {@link Feed}; `onStop` is called when the pool stops taking ordinary tasks. Throws when it no longer takes tasks. */
  openFeed(onStop: () => void): Feed {
    this.checkOpen()
    const stop = () => onStop()
    this.#feeds.add(stop)
    return {
      submit: (fn, kind, payload, sink) => {
        const failed = this.state === 'terminated' ? new PoolTerminatedError() : this.#broken
        if (failed !== undefined) {
          sink._reject(failed)
          return false
        }
        this.#accept(fn, kind, payload, sink)
        return true
      },
      end: () => {
        if (this.#feeds.delete(stop)) this.#scheduleDispatch()
      },
    }
  }

  #accept(fn: Function, kind: Kind, payload: unknown, sink: Sink, signal?: AbortSignal): void {
    if (typeof fn !== 'function') throw new TypeError(`${this.#backend.kind}: the task function must be a function exported from its module, got ${fn === null ? 'null' : typeof fn}`)
    const task = newTask(kind, payload, sink)
    this.#keepAlive ??= setInterval(() => this.#idleCheck(), 1000)
    if (signal !== undefined) {
      if (signal.aborted) { sink._reject(signal.reason); return }
      const onAbort = () => {
        if (task.seq === 0 && !task.cancelled) { task.cancelled = true; sink._reject(signal.reason) }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      task.sink = {
        _resolve(value) { signal.removeEventListener('abort', onAbort); sink._resolve(value) },
        _reject(error) { signal.removeEventListener('abort', onAbort); sink._reject(error) },
      }
    }
    const known = this.#functions.lookup(fn)
    if (typeof known === 'number') {
      task.fn = known
      this.#enqueue(task)
      return
    }
    this.#locating++
    known.then((index) => {
      this.#locating--
      task.fn = index
      if (task.cancelled) return
      if (this.state === 'terminated') task.sink._reject(new PoolTerminatedError())
      else if (this.#broken) task.sink._reject(this.#broken)
      else this.#enqueue(task)
    }, (error: unknown) => {
      this.#locating--
      if (!task.cancelled) task.sink._reject(error)
      if (this.state === 'closed') this.#scheduleDispatch()
    })
  }

  /** The pool's state now: workers, backlog, tasks done and failed (stats.ts). */
  stats(): PoolStats {
    const live = this.#workers.live()
    let busy = 0
    let inFlight = 0
    for (const slot of live) {
      if (slot.outstanding.length > 0) busy++
      inFlight += slot.outstanding.length
    }
    const { done, failed, crashed, retried } = this.#counters
    const state = this.#broken !== undefined && this.state !== 'terminated' ? 'broken' : this.state
    return { state, size: this.size, alive: this.#workers.alive, busy, backlog: this.#dispatcher.pending.length + this.#locating, inFlight, done, failed, crashed, retried }
  }

  /** Throws the error a submission gets once the pool is closed, terminated or broken. */
  checkOpen(): void {
    if (this.#broken) throw this.#broken
    if (this.state === 'closed') throw new StateError(`${this.#backend.kind} is closed: no new tasks after close(); create a new pool for more work`)
    if (this.state === 'terminated') throw new StateError(`${this.#backend.kind} is terminated: no new tasks after terminate(); create a new pool for more work`)
  }

  close(): void {
    if (this.state !== 'running') return
    this.state = 'closed'
    this.#firstTaskSeen()
    this.#scheduleDispatch()
    this.#tellFeeds()
  }

  terminate(): void {
    if (this.state === 'terminated') return
    this.state = 'terminated'
    this.#firstTaskSeen()
    this.#failEverything(new PoolTerminatedError())
    this.#tellFeeds()
  }

  #tellFeeds(): void {
    for (const stop of [...this.#feeds]) stop()
  }

  /** Resolves once every worker has exited (after close() or terminate()). */
  join(): Promise<void> {
    if (this.state === 'running') return Promise.reject(new StateError(`${this.#backend.kind}.join() called while the pool is running: call close() (let queued tasks finish) or terminate() first`))
    return this.#joinAll()
  }

  async #joinAll(): Promise<void> {
    for (;;) {
      if (this.#workers.alive === 0 && this.#workers.booted()) return this.#record.end()
      const exited = new Promise<void>((resolve) => this.#exitWaiters.push(resolve))
      // join() refs each daemon worker so the process stays up until they are gone.
      await Promise.race([exited, Promise.all(this.#workers.running().map((w) => w.join().catch(() => {})))])
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }

  /** Lets the process exit once nothing is pending, locating or running. */
  #idleCheck(): void {
    if (this.#keepAlive === undefined) return
    if (this.#workers.inFlight() > 0 || this.#dispatcher.pending.length > 0 || this.#locating > 0) return
    clearInterval(this.#keepAlive)
    this.#keepAlive = undefined
  }

  // ----- workers

  #startSlot(index: number): void {
    const slot = this.#workers.open(index)
    Promise.all([this.#initRef, this.#firstTask]).then(([initializer]) => {
      if (!this.#workers.current(slot)) return
      if (this.state === 'terminated' || this.#broken) {
        this.#workers.remove(slot)
        this.#notifyExit()
        return
      }
      const args = { initializer, initargs: this.#initargs, modules: this.#functions.modules, recycled: this.#maxTasks !== null }
      this.#workers.launch(slot, args, (error) => this.#breakWith(error))
    }, (error: unknown) => this.#breakWith(new TypeError(`${this.#backend.kind}: the initializer can't run in a worker: ${(error as Error).message}`, { cause: error })))
  }

  #onExit(slot: Slot, code: number): void {
    if (this.#workers.current(slot)) {
      this.#reader.drain()
      this.#workers.remove(slot)
      const held = slot.outstanding.drain()
      const outcome = settleHeld(held, this.#workers.startedSeq(slot), slot.worker?.id, code, this.#maxAttempts)
      this.#dispatcher.pending.unshiftAll(outcome.again)
      this.#counters.failed += outcome.failed
      this.#counters.retried += outcome.retried.length
      if (this.state !== 'terminated' && !this.#broken && (!slot.stopped || held.length > 0 || code !== 0)) {
        this.#counters.crashed++
        this.#tellCrash(slot, code, outcome)
      }
      const more = this.#dispatcher.pending.length > 0 || this.#feeds.size > 0
      if (!this.#broken && (this.state === 'running' || (this.state === 'closed' && more))) this.#startSlot(slot.index)
      this.#scheduleDispatch()
      if (this.#workers.inFlight() === 0) this.#reader.wake()
    }
    this.#notifyExit()
  }

  /** A worker died without being asked to stop: 'workerCrash', then a 'taskRetry' per task it was running that runs again. */
  #tellCrash(slot: Slot, code: number, outcome: HeldOutcome): void {
    const worker = slot.worker?.id
    const reason = exitReason(code)
    const requeued = outcome.again.length - outcome.retried.length
    this.listeners.emit('workerCrash', { worker, reason, failed: outcome.failed, retried: outcome.retried.length, requeued })
    for (const task of outcome.retried) {
      this.listeners.emit('taskRetry', { task: this.#functions.refs[task.fn]?.name ?? '?', attempt: task.attempts + 1, maxAttempts: this.#maxAttempts, worker, reason })
    }
  }

  #notifyExit(): void {
    if (this.#workers.alive > 0 || this.state === 'running' || !this.#workers.booted()) return
    for (const resolve of this.#exitWaiters.splice(0)) resolve()
  }

  /** The initializer failed or a worker could not start: no task can run, so every task fails with this error. */
  #breakWith(error: Error): void {
    if (this.#broken || this.state === 'terminated') return
    this.#broken = error
    this.#failEverything(error)
    this.#tellFeeds()
  }

  #failEverything(error: Error): void {
    for (const task of this.#dispatcher.pending.drain()) if (!task.cancelled) task.sink._reject(error)
    for (const task of this.#workers.killAll()) task.sink._reject(error)
    this.#reader.wake()
    this.#idleCheck()
    if (this.state === 'running') this.state = 'closed'
    this.#notifyExit()
  }

  // ----- tasks out

  #enqueue(task: Task): void {
    this.#dispatcher.pending.push(task)
    this.#scheduleDispatch()
  }

  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return
    this.#dispatchScheduled = true
    queueMicrotask(() => this.#dispatch())
  }

  #dispatch(): void {
    this.#dispatchScheduled = false
    if (this.state === 'terminated' || this.#broken) return
    const live = this.#workers.live()
    const modules = this.#functions.modules.length
    const stale = (slot: Slot) => slot.worker !== undefined && slot.modules < modules
    this.#dispatcher.fill(live, stale)
    const drained = this.state === 'closed' && this.#dispatcher.pending.length === 0 && this.#locating === 0 && this.#feeds.size === 0
    for (const slot of live) if (drained || stale(slot)) this.#workers.stop(slot)
    this.#reader.start()
  }
}
