/**
 * The messages between a pool and its workers (one concept: the wire format).
 *
 * Parent → worker inbox: a {@link Batch}, or `null` (stop after what is
 * queued). Worker → shared result queue: a {@link Report}. Both are flat
 * arrays, because one structured clone of a flat array of many tasks costs
 * far less than one message per task.
 */

/** How a task calls its function: `fn(...args)`, a map chunk `items.map(fn)`, a starmap chunk. */
export const CALL = 0
export const MAP = 1
export const STARMAP = 2
export type Kind = typeof CALL | typeof MAP | typeof STARMAP

/**
 * One message to a worker: function definitions it has not seen
 * (`[index, url, name]`, flattened) and tasks as flat quadruples
 * `[seq, fnIndex, kind, payload]`. `seq` counts this worker's tasks from 1.
 * A MAP payload (the chunk's items) and a MAP/STARMAP chunk's value in a
 * {@link Report} are arrays, or a Float64Array when they are all numbers
 * (columns.ts).
 */
export interface Batch {
  defs: Array<number | string>
  tasks: unknown[]
}

/**
 * What a worker sends back: its slot index, flat triples `[seq, ok, value]`
 * (value: the result, or a {@link WireError}), and how long the batch ran in
 * ms (-1: not measured; the pool sizes later batches from it).
 */
export type Report = [slot: number, results: unknown[], ms: number] | [slot: number, results: null, initError: WireError]

/** An error as plain data. */
export interface WireError {
  name: string
  message: string
  stack?: string
}

/** Slot cells per worker in the shared state array: the sequence number of the task it started last. */
export const CELLS = 1

/** A thrown value as a {@link WireError}. */
export function toWire(error: unknown): WireError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack }
  return { name: 'Error', message: String(error) }
}

const STANDARD: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError }

/** A task's error as thrown in the worker: same name and message, the remote stack as `cause`. */
export function revive(wire: WireError): Error {
  const Ctor = STANDARD[wire.name] ?? Error
  const error = new Ctor(wire.message, wire.stack === undefined ? undefined : { cause: wire.stack })
  if (error.name !== wire.name) Object.defineProperty(error, 'name', { value: wire.name, configurable: true, writable: true, enumerable: false })
  return error
}
