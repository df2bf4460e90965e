/**
 * The loop every pool worker runs (a Process's or a Thread's target): take a
 * batch from its own inbox, run each task, send its results back, and wait
 * for the next batch only when the inbox is empty. Results go back in as
 * few messages as keeps each within a few ms of its task's end (flush.ts):
 * one per batch of tiny tasks, one per task when each takes longer.
 *
 * Before running a task the worker writes the task's sequence number into
 * its cell of the pool's shared state array. When the worker dies, the
 * parent reads that cell: the task there (and any finished task whose
 * results had not been sent) is what the worker held; the tasks after it
 * never started and run on another worker. A `null` batch means: stop.
 */
import { setRole } from '../observe/registry.js'
import type { FunctionRef } from '../runtime/locate.js'
import { loadBootstrapping } from '../process/run.js'
import type { Queue } from '../queue/queue.js'
import type { RawArray } from '../shared/raw-array.js'
import { mapChunk } from './columns.js'
import { Flusher } from './flush.js'
import { CALL, CELLS, MAP, toWire, type Batch, type Report } from './protocol.js'

/** How long an idle worker blocks on its inbox before waiting asynchronously (ms). */
const WAIT_SYNC_MS = 2


/**
 * The target of a pool's workers. Internal: exported so that workers can
 * import it by module and name, like any target.
 *
 * @example
 * // started by Pool / ThreadPool, never by hand:
 * // new Process({ target: poolWorker, args: [inbox, results, state, slot, null, []] })
 */
export async function poolWorker(inbox: Queue<Batch | null>, results: Queue<Report>, state: RawArray<'i'>, slot: number, initializer: FunctionRef | null, initargs: unknown[]): Promise<void> {
  setRole('pool worker') // as skein top shows this thread (its name stays the worker's)
  const cells = state.array as Int32Array
  const started = slot * CELLS
  if (initializer !== null) {
    try {
      const init = await loadBootstrapping(initializer)
      await init(...initargs)
    } catch (error) {
      results.putSync([slot, null, toWire(error)])
      return
    }
  }
  const fns: Function[] = []
  const flusher = new Flusher()
  for (;;) {
    let batch: Batch | null
    try {
      // A blocked thread wakes on a futex in microseconds; an async wait goes
      // through the event loop. Block briefly (the next batch is usually
      // close behind), then wait without holding the thread.
      batch = inbox.getSync({ timeout: WAIT_SYNC_MS })
    } catch {
      batch = await inbox.get()
    }
    if (batch === null) return
    const { defs, tasks } = batch
    for (let i = 0; i < defs.length; i += 3) {
      const index = defs[i] as number
      const ref = { url: defs[i + 1] as string, name: defs[i + 2] as string }
      try {
        fns[index] = await loadBootstrapping(ref)
      } catch (error) {
        fns[index] = () => { throw error }
      }
    }
    let out: unknown[] = []
    flusher.begin()
    for (let i = 0; i < tasks.length; i += 4) {
      const seq = tasks[i] as number
      Atomics.store(cells, started, seq)
      try {
        let value = run(fns[tasks[i + 1] as number], tasks[i + 2] as number, tasks[i + 3])
        if (value instanceof Promise) value = await value
        out.push(seq, 1, value)
      } catch (error) {
        out.push(seq, 0, toWire(error))
      }
      // Results stream back as they finish, not a batch at a time (flush.ts).
      const took = flusher.afterTask(i + 4 < tasks.length)
      if (took >= 0) {
        send(results, slot, out, took)
        out = []
      }
    }
    send(results, slot, out, flusher.end())
  }
}

/**
 * Calls the task's function the way its kind says; a chunk's promises are
 * awaited together. A map chunk's values come back as a Float64Array when
 * they are all numbers (columns.ts).
 */
function run(fn: Function, kind: number, payload: unknown): unknown {
  if (kind === CALL) return fn(...(payload as unknown[]))
  let values: Float64Array | unknown[]
  if (kind === MAP) values = mapChunk(fn as (item: unknown) => unknown, payload as ArrayLike<unknown>)
  else {
    const items = payload as unknown[][]
    values = new Array<unknown>(items.length)
    for (let i = 0; i < items.length; i++) values[i] = fn(...items[i])
  }
  if (values instanceof Float64Array) return values
  return values.some((v) => v instanceof Promise) ? Promise.all(values) : values
}

/** Sends results; a result that cannot be cloned becomes that task's error instead. */
function send(results: Queue<Report>, slot: number, out: unknown[], ms: number): void {
  try {
    results.putSync([slot, out, ms])
    return
  } catch {
    // one of the values cannot cross: send them one by one
  }
  for (let i = 0; i < out.length; i += 3) {
    try {
      results.putSync([slot, [out[i], out[i + 1], out[i + 2]], -1])
    } catch (error) {
      const wire = { name: 'TypeError', message: `the task's return value can't be sent back to the pool (${(error as Error).message.split(' (')[0]}): return plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays, Buffers) or skein's shared objects` }
      results.putSync([slot, [out[i], 0, wire], -1])
    }
  }
}
