/**
 * Worker lifecycle: the pool's fixed number of slots, each with its own
 * inbox queue and at most one worker at a time. A slot's worker is started
 * through the backend, watched for its exit, and replaced by a new slot at
 * the same index (a new inbox, so nothing a dead worker left behind is read
 * by its successor).
 *
 * The "started" cells: one shared int32 per slot that a worker sets to a
 * task's sequence number before running it (worker.ts); after the worker's
 * death it says which of the tasks it held had started (crash.ts).
 */
import type { FunctionRef } from '../runtime/locate.js'
import { Queue } from '../queue/queue.js'
import { RawArray } from '../shared/raw-array.js'
import type { PoolBackend, PoolWorkerHandle } from './backend.js'
import { Fifo } from './fifo.js'
import { CELLS, type Batch, type Report } from './protocol.js'
import type { Task } from './task.js'

/** One worker's place in the pool. */
export interface Slot {
  index: number
  inbox: Queue<Batch | null>
  worker: PoolWorkerHandle | undefined
  /** Sequence number of the last task sent to this worker (per worker, from 1). */
  seq: number
  /** Tasks sent to this worker and not yet reported, in order. */
  outstanding: Fifo<Task>
  /** Last seq of each batch in flight. */
  batchEnds: Fifo<number>
  /** Function indices this worker has been told about. */
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

/** What a worker's start needs besides its slot. */
export interface LaunchArgs {
  initializer: FunctionRef | null
  initargs: readonly unknown[]
  /** Task modules the worker must start with (PoolBackend.needsPreload). */
  modules: readonly string[]
  /** Workers are replaced after maxTasksPerChild tasks. */
  recycled: boolean
}

/**
 * The slots of one pool and their workers.
 *
 * @example
 * // built by PoolCore: const workers = new Workers(backend, 2, results, onExit)
 * // const slot = workers.open(0); workers.launch(slot, args, (error) => …)
 */
export class Workers {
  readonly size: number
  /** Slot i's started cell is cells[i * CELLS]. */
  readonly cells: RawArray<'i'>
  readonly #slots: Array<Slot | undefined>
  readonly #backend: PoolBackend
  readonly #results: Queue<Report>
  readonly #onExit: (slot: Slot, code: number) => void
  /** Workers started and not yet exited. */
  #alive = 0
  #started = 0

  constructor(backend: PoolBackend, size: number, results: Queue<Report>, onExit: (slot: Slot, code: number) => void) {
    this.#backend = backend
    this.size = size
    this.#results = results
    this.#onExit = onExit
    this.cells = new RawArray('i', size * CELLS)
    this.#slots = new Array<Slot | undefined>(size)
  }

  /** Workers started and not yet exited. */
  get alive(): number {
    return this.#alive
  }

  /** The slot at `index` now (undefined between a worker's exit and its replacement). */
  at(index: number): Slot | undefined {
    return this.#slots[index]
  }

  /** The slots in place now. */
  live(): Slot[] {
    return this.#slots.filter((s): s is Slot => s !== undefined)
  }

  /** Tasks sent to workers and not yet reported. */
  inFlight(): number {
    let n = 0
    for (const slot of this.#slots) if (slot !== undefined) n += slot.outstanding.length
    return n
  }

  /** Whether every slot in place has its worker (none is waiting to launch). */
  booted(): boolean {
    return this.#slots.every((s) => s === undefined || s.worker !== undefined)
  }

  /** Workers that have not exited yet. */
  running(): PoolWorkerHandle[] {
    return this.live().flatMap((s) => (s.worker !== undefined && s.worker.exitCode === null ? [s.worker] : []))
  }

  /** A new slot at `index` with a fresh inbox and its started cell reset; its worker starts with {@link launch}. */
  open(index: number): Slot {
    Atomics.store(this.cells.array as Int32Array, index * CELLS, 0)
    const slot: Slot = { index, inbox: new Queue<Batch | null>(), worker: undefined, seq: 0, outstanding: new Fifo(), batchEnds: new Fifo(), known: new Set(), sent: 0, stopped: false, modules: 0, exited: false }
    this.#slots[index] = slot
    return slot
  }

  /** Whether `slot` is still the one at its index (not replaced or dropped). */
  current(slot: Slot): boolean {
    return this.#slots[slot.index] === slot
  }

  /** Removes `slot` (its worker exited, or it will never get one). */
  remove(slot: Slot): void {
    if (this.#slots[slot.index] === slot) this.#slots[slot.index] = undefined
  }

  /** Starts `slot`'s worker; `failed` is told if it cannot start (its exit is reported too). */
  launch(slot: Slot, args: LaunchArgs, failed: (error: Error) => void): void {
    slot.modules = args.modules.length
    const kind = this.#backend.kind
    const worker = this.#backend.create([slot.inbox, this.#results, this.cells, slot.index, args.initializer, args.initargs], `${kind}Worker-${++this.#started}`, args.modules, args.recycled)
    slot.worker = worker
    this.#alive++
    worker.on('exit', (code) => this.#exited(slot, code))
    worker.start().catch((error: unknown) => {
      failed(new Error(`${kind}: a worker could not start: ${(error as Error).message}`, { cause: error }))
      // A worker that never ran reports no exit of its own.
      if (worker.exitCode === null) this.#exited(slot, 1)
    })
  }

  /** The sequence number of the task `slot`'s worker started last. */
  startedSeq(slot: Slot): number {
    return Atomics.load(this.cells.array as Int32Array, slot.index * CELLS)
  }

  /** Asks `slot`'s worker to exit once it has run what it holds. */
  stop(slot: Slot): void {
    if (slot.stopped) return
    slot.stopped = true
    slot.inbox.putSync(null)
  }

  /** Stops every worker now (SIGKILL / thread terminate); each slot's tasks are returned for the caller to settle. */
  killAll(): Task[] {
    const held: Task[] = []
    for (const slot of this.live()) {
      for (const task of slot.outstanding.drain()) held.push(task)
      slot.stopped = true
      if (slot.worker !== undefined && slot.worker.exitCode === null) slot.worker.kill()
    }
    return held
  }

  #exited(slot: Slot, code: number): void {
    if (slot.exited) return
    slot.exited = true
    this.#alive--
    this.#onExit(slot, code)
  }
}
