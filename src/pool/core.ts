/**
 * The pool itself, one implementation over two backends (worker processes
 * or worker threads, see backend.ts): tasks wait in the parent, go to
 * workers in batches over each worker's own queue, and come back in one
 * message per batch over a shared result queue.
 *
 * Why per-worker inboxes and not one shared task queue: the parent then
 * knows exactly which tasks each worker holds, so a worker's death rejects
 * only the task it was running (its shared "started" cell says which) and
 * the tasks queued behind it run elsewhere. Load stays balanced because a
 * worker holds at most two batches, sized from the backlog (1 task each
 * when few wait, up to 512 when thousands do).
 */
import { constants } from 'node:os'
import { WorkerCrashedError, SkeinError } from '../errors.js'
import { describeFunction, type FunctionRef } from '../process/locate.js'
import { Queue } from '../queue/queue.js'
import { RawArray } from '../shared/raw-array.js'
import { Fifo } from './fifo.js'
import { CALL, CELLS, type Batch, type Kind, type Report, type WireError } from './protocol.js'

/** A started worker, as the pool sees it (a Process or a Thread). */
export interface PoolWorkerHandle {
  start(): Promise<void>
  kill(): void
  on(event: 'exit', listener: (code: number) => void): unknown
  readonly exitCode: number | null
  /** Waits for the exit (and keeps the event loop alive meanwhile: pool workers are daemons). */
  join(): Promise<void>
  /** The process id (processes) or thread id (threads), for error messages. */
  readonly id: number | undefined
}

/** How a pool starts its workers. */
export interface PoolBackend {
  /** 'Pool' or 'ThreadPool', for messages. */
  readonly kind: string
  /**
   * Whether workers must be told the task modules when they start (forked
   * processes under loader hooks cannot compile a module later; see
   * process-worker.ts). Given a module URL, true if a worker started without
   * it could not load it.
   */
  needsPreload(url: string): boolean
  /** Whether needsPreload can ever be true (then workers start once the first task module is known). */
  readonly preloads: boolean
  create(args: unknown[], name: string, modules: readonly string[], recycled: boolean): PoolWorkerHandle
}

/** Where a task's outcome goes. */
export interface Sink {
  _resolve(value: unknown): void
  _reject(error: unknown): void
}

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


interface Task {
  fn: number
  kind: Kind
  payload: unknown
  sink: Sink
  seq: number
  cancelled: boolean
}

interface Slot {
  index: number
  inbox: Queue<Batch | null>
  worker: PoolWorkerHandle | undefined
  /** Sequence number of the last task sent to this worker (per worker, from 1). */
  seq: number
  outstanding: Fifo<Task>
  /** Last seq of each batch in flight. */
  batchEnds: Fifo<number>
  known: Set<number>
  /** Tasks sent in this worker's life (maxTasksPerChild). */
  sent: number
  /** The stop message was sent. */
  stopped: boolean
  /** How many of the pool's preloaded modules the worker was started with. */
  modules: number
  /** Its exit was handled (a failed start reports one too). */
  exited: boolean
}

/** Pool construction options common to both pools. */
export interface CoreOptions {
  initializer?: (...args: never[]) => unknown
  initargs?: readonly unknown[]
  maxTasksPerChild?: number | null
}

const MAX_BATCH = 512
/**
 * A backlog estimated to take at most this long per worker (ms) goes out in
 * one batch per worker: splitting it finer for balance would cost more in
 * messages and wake-ups than the imbalance it saves.
 */
const QUICK_BACKLOG_MS = 2
/** How long the parent blocks for a result before waiting asynchronously (ms). */
const PARENT_SPIN_MS = 0.5
const BATCHES_IN_FLIGHT = 2

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
  readonly #backend: PoolBackend
  readonly #results = new Queue<Report>()
  readonly #cells: RawArray<'i'>
  readonly #slots: Array<Slot | undefined>
  readonly #pending = new Fifo<Task>()
  readonly #fnIndex = new Map<Function, number | Promise<number>>()
  readonly #refs: FunctionRef[] = []
  readonly #initargs: readonly unknown[]
  readonly #maxTasks: number | null
  #initRef: Promise<FunctionRef | null>
  #broken: Error | undefined
  #inFlight = 0
  #dispatchScheduled = false
  #reading = false
  #readerAbort: AbortController | undefined
  #alive = 0
  #exitWaiters: Array<() => void> = []
  #workerCount = 0
  /** Submitted tasks whose function is still being located. */
  #locating = 0
  /** Per task function (by index): ms per item, averaged over the batches workers report (sizes batches). */
  readonly #msPerItem: number[] = []
  /** Open feeds, each with the callback told when the pool stops taking tasks (close, terminate, broken). */
  readonly #feeds = new Set<() => void>()
  /** Task modules workers must start with (see PoolBackend.needsPreload). */
  readonly #modules: string[] = []
  /** A ref'd timer while tasks are unfinished: workers are daemons and queue waits do not hold the event loop. */
  #keepAlive: NodeJS.Timeout | undefined
  /** Resolves when the first task's module is known, or the pool stops taking tasks (preloading backends start workers then). */
  readonly #firstTask: Promise<void>
  #firstTaskSeen!: () => void

  constructor(backend: PoolBackend, size: number, options: CoreOptions) {
    this.#backend = backend
    this.size = size
    this.#initargs = options.initargs ?? []
    this.#maxTasks = options.maxTasksPerChild ?? null
    this.#firstTask = new Promise((resolve) => { this.#firstTaskSeen = resolve })
    if (!backend.preloads) this.#firstTaskSeen()
    this.#cells = new RawArray('i', size * CELLS)
    this.#slots = new Array<Slot | undefined>(size)
    const init = options.initializer
    this.#initRef = init === undefined ? Promise.resolve(null) : describeFunction(init).then((ref) => {
      if (backend.needsPreload(ref.url)) this.#modules.push(ref.url)
      return ref
    })
    this.#initRef.catch(() => {})
    for (let i = 0; i < size; i++) this.#startSlot(i)
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
    const task: Task = { fn: -1, kind, payload, sink, seq: 0, cancelled: false }
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
    const known = this.#fnIndex.get(fn)
    if (typeof known === 'number') {
      task.fn = known
      this.#enqueue(task)
      return
    }
    const located = known ?? this.#locate(fn)
    this.#locating++
    located.then((index) => {
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

  /** Throws the error a submission gets once the pool is closed, terminated or broken. */
  checkOpen(): void {
    if (this.#broken) throw this.#broken
    if (this.state === 'closed') throw new Error(`${this.#backend.kind} is closed: no new tasks after close(); create a new pool for more work`)
    if (this.state === 'terminated') throw new Error(`${this.#backend.kind} is terminated: no new tasks after terminate(); create a new pool for more work`)
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
    if (this.state === 'running') return Promise.reject(new Error(`${this.#backend.kind}.join() called while the pool is running: call close() (let queued tasks finish) or terminate() first`))
    return this.#joinAll()
  }

  async #joinAll(): Promise<void> {
    for (;;) {
      if (this.#alive === 0 && this.#booted()) return
      const exited = new Promise<void>((resolve) => this.#exitWaiters.push(resolve))
      const workers = this.#slots.map((s) => s?.worker).filter((w) => w !== undefined && w.exitCode === null)
      // join() refs each daemon worker so the process stays up until they are gone.
      await Promise.race([exited, Promise.all(workers.map((w) => w!.join().catch(() => {})))])
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }

  /** Lets the process exit once nothing is pending, locating or running. */
  #idleCheck(): void {
    if (this.#keepAlive === undefined) return
    if (this.#inFlight > 0 || this.#pending.length > 0 || this.#locating > 0) return
    clearInterval(this.#keepAlive)
    this.#keepAlive = undefined
  }

  // ----- workers

  #booted(): boolean {
    return this.#slots.every((s) => s === undefined || s.worker !== undefined)
  }

  #startSlot(index: number): void {
    Atomics.store(this.#cells.array as Int32Array, index * CELLS, 0)
    const slot: Slot = { index, inbox: new Queue<Batch | null>(), worker: undefined, seq: 0, outstanding: new Fifo(), batchEnds: new Fifo(), known: new Set(), sent: 0, stopped: false, modules: 0, exited: false }
    this.#slots[index] = slot
    Promise.all([this.#initRef, this.#firstTask]).then(([ref]) => this.#launch(slot, ref), (error: unknown) => this.#breakWith(new TypeError(`${this.#backend.kind}: the initializer can't run in a worker: ${(error as Error).message}`, { cause: error })))
  }

  #launch(slot: Slot, ref: FunctionRef | null): void {
    if (this.#slots[slot.index] !== slot) return
    if (this.state === 'terminated' || this.#broken) {
      this.#slots[slot.index] = undefined
      this.#notifyExit()
      return
    }
    slot.modules = this.#modules.length
    const worker = this.#backend.create([slot.inbox, this.#results, this.#cells, slot.index, ref, this.#initargs], `${this.#backend.kind}Worker-${++this.#workerCount}`, this.#modules, this.#maxTasks !== null)
    slot.worker = worker
    this.#alive++
    worker.on('exit', (code) => this.#onExit(slot, code))
    worker.start().catch((error: unknown) => {
      this.#breakWith(new Error(`${this.#backend.kind}: a worker could not start: ${(error as Error).message}`, { cause: error }))
      // A worker that never ran reports no exit of its own.
      if (worker.exitCode === null) this.#onExit(slot, 1)
    })
  }

  #onExit(slot: Slot, code: number): void {
    if (slot.exited) return
    slot.exited = true
    this.#alive--
    if (this.#slots[slot.index] === slot) {
      this.#drainResults()
      this.#slots[slot.index] = undefined
      const held = slot.outstanding.drain()
      if (held.length > 0) {
        this.#inFlight -= held.length
        const started = Atomics.load(this.#cells.array as Int32Array, slot.index * CELLS)
        const again: Task[] = []
        const why = reason(code)
        for (const task of held) {
          if (task.seq <= started) task.sink._reject(new WorkerCrashedError(slot.worker?.id, why))
          else { task.seq = 0; again.push(task) }
        }
        this.#pending.unshiftAll(again)
      }
      const more = this.#pending.length > 0 || this.#feeds.size > 0
      if ((this.state === 'running' && !this.#broken) || (this.state === 'closed' && more && !this.#broken)) this.#startSlot(slot.index)
      this.#scheduleDispatch()
      if (this.#inFlight === 0) this.#readerAbort?.abort()
    }
    this.#notifyExit()
  }

  #notifyExit(): void {
    if (this.#alive > 0 || this.state === 'running' || !this.#booted()) return
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
    for (const task of this.#pending.drain()) if (!task.cancelled) task.sink._reject(error)
    for (const slot of this.#slots) {
      if (slot === undefined) continue
      for (const task of slot.outstanding.drain()) task.sink._reject(error)
      slot.stopped = true
      if (slot.worker !== undefined && slot.worker.exitCode === null) slot.worker.kill()
    }
    this.#inFlight = 0
    this.#readerAbort?.abort()
    this.#idleCheck()
    if (this.state === 'running') this.state = 'closed'
    this.#notifyExit()
  }

  // ----- tasks out

  #locate(fn: Function): Promise<number> {
    const located = describeFunction(fn).then((ref) => {
      const index = this.#refs.push(ref) - 1
      this.#fnIndex.set(fn, index)
      // Workers started without this module could not load it: new ones replace them (dispatch stops the stale).
      if (!this.#modules.includes(ref.url) && this.#backend.needsPreload(ref.url)) this.#modules.push(ref.url)
      this.#firstTaskSeen()
      return index
    }, (error: unknown) => {
      this.#fnIndex.delete(fn)
      throw error
    })
    this.#fnIndex.set(fn, located)
    return located
  }

  #enqueue(task: Task): void {
    this.#pending.push(task)
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
    const pending = this.#pending
    const live = this.#slots.filter((s): s is Slot => s !== undefined)
    const share = this.#quickShare()
    let progress = true
    while (progress && pending.length > 0) {
      progress = false
      for (const slot of live) {
        if (slot.worker !== undefined && slot.modules < this.#modules.length) this.#stop(slot)
        if (slot.stopped || slot.batchEnds.length >= BATCHES_IN_FLIGHT || pending.length === 0) continue
        let size = share ?? Math.min(MAX_BATCH, Math.max(1, Math.ceil(pending.length / (this.size * BATCHES_IN_FLIGHT))))
        if (this.#maxTasks !== null) size = Math.min(size, this.#maxTasks - slot.sent)
        const tasks: Task[] = []
        while (tasks.length < size && pending.length > 0) {
          const task = pending.shift()!
          if (!task.cancelled) tasks.push(task)
        }
        if (tasks.length > 0) this.#send(slot, tasks)
        if (this.#maxTasks !== null && slot.sent >= this.#maxTasks) this.#stop(slot)
        progress = true
      }
    }
    if (this.state === 'closed' && pending.length === 0 && this.#locating === 0 && this.#feeds.size === 0) for (const slot of live) this.#stop(slot)
    for (const slot of live) if (slot.worker !== undefined && slot.modules < this.#modules.length) this.#stop(slot)
    if (this.#inFlight > 0 && !this.#reading) void this.#read()
  }

  /**
   * Batches are sized from the backlog (guided: smaller as it shrinks, so
   * the last ones are short and no worker idles long at the end) unless the
   * whole backlog is estimated to be quick: then one share per worker.
   * The estimate is the head task's function's measured ms per item.
   */
  #quickShare(): number | undefined {
    const head = this.#pending.peek()
    const perItem = head === undefined ? undefined : this.#msPerItem[head.fn]
    if (perItem === undefined) return undefined
    if (perItem * itemsOf(head!) * this.#pending.length > QUICK_BACKLOG_MS * this.size) return undefined
    return Math.min(MAX_BATCH, Math.ceil(this.#pending.length / this.size))
  }

  #stop(slot: Slot): void {
    if (slot.stopped) return
    slot.stopped = true
    slot.inbox.putSync(null)
  }

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
      if (tasks.length === 1) tasks[0].sink._reject(cloneError(this.#backend.kind, error))
      else for (const task of tasks) this.#send(slot, [task])
      return
    }
    slot.batchEnds.push(slot.seq)
    slot.sent += tasks.length
    this.#inFlight += tasks.length
    for (const task of tasks) slot.outstanding.push(task)
  }

  // ----- results in

  async #read(): Promise<void> {
    this.#reading = true
    try {
      while (this.#inFlight > 0) {
        let report: Report
        try {
          // A result due within a fraction of a millisecond (tiny tasks one
          // after another) is worth a short block of this thread; longer
          // waits go through the event loop.
          report = this.#results.getSync({ timeout: PARENT_SPIN_MS })
        } catch {
          const abort = (this.#readerAbort = new AbortController())
          try {
            report = await this.#results.get({ signal: abort.signal })
          } catch {
            continue
          } finally {
            this.#readerAbort = undefined
          }
        }
        this.#onReport(report)
        if (this.#pending.length > 0 || this.state === 'closed') this.#dispatch()
      }
    } finally {
      this.#reading = false
      this.#idleCheck()
    }
  }

  #drainResults(): void {
    for (;;) {
      let report: Report
      try {
        report = this.#results.getNowait()
      } catch {
        return
      }
      this.#onReport(report)
    }
  }

  #onReport(report: Report): void {
    const [index, results] = report
    if (results === null) {
      const init = revive(report[2]!)
      this.#breakWith(new Error(`${this.#backend.kind}: the initializer threw ${init.name}: ${init.message} — no task can run; fix the initializer`, { cause: init }))
      return
    }
    const slot = this.#slots[index]
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
      this.#inFlight--
      if (slot.batchEnds.peek() === seq) slot.batchEnds.shift()
      if (results[i + 1] === 1) task.sink._resolve(results[i + 2])
      else task.sink._reject(revive(results[i + 2] as WireError))
    }
    // One function's batch: learn its cost per item (half the old estimate, half the new).
    const ms = report[2] as number
    if (fn >= 0 && items > 0 && ms >= 0) {
      const seen = ms / items
      const old = this.#msPerItem[fn]
      this.#msPerItem[fn] = old === undefined ? seen : (old + seen) / 2
    }
  }
}

/** Items a task stands for: a map chunk's length, else 1. */
function itemsOf(task: Task): number {
  return task.kind === CALL ? 1 : (task.payload as ArrayLike<unknown>).length
}

const STANDARD: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError }

/** A task's error as thrown in the worker: same name and message, the remote stack as `cause`. */
function revive(wire: WireError): Error {
  const Ctor = STANDARD[wire.name] ?? Error
  const error = new Ctor(wire.message, wire.stack === undefined ? undefined : { cause: wire.stack })
  if (error.name !== wire.name) Object.defineProperty(error, 'name', { value: wire.name, configurable: true, writable: true, enumerable: false })
  return error
}

function cloneError(kind: string, error: unknown): Error {
  if (error instanceof TypeError) return new TypeError(`${kind}: a task argument ${error.message.replace(/^[^:]*: the item /, '')}`, { cause: error })
  return error as Error
}

function reason(code: number): string {
  if (code < 0) {
    const name = Object.entries(constants.signals).find(([, n]) => n === -code)?.[0]
    return `killed by ${name ?? `signal ${-code}`}`
  }
  return `exit code ${code}`
}

