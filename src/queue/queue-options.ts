/**
 * The checks and messages of the queue classes' public calls: options are
 * validated once, at the boundary, and turned into the one internal form
 * (a deadline, or NOWAIT); errors say what was wrong and what to do.
 */
import { EOFError } from '../errors.js'
import { deadlineFrom, timeoutOf, describe, signalFrom } from '../sync/options.js'
import { deadlineOf } from '../sync/wait.js'

/**
 * Options of `put`/`get` and their `*Sync` forms.
 *
 * @example
 * import { Queue } from 'skein'
 * const q = new Queue<string>(1)
 * await q.put('a', { timeout: 100 })
 * console.log(await q.get({ timeout: 100, signal: AbortSignal.timeout(1000) })) // 'a'
 */
export interface QueueWaitOptions {
  /** `false`: don't wait (full → QueueFullError, empty → QueueEmptyError); default `true`. */
  block?: boolean
  /** Milliseconds to wait at most; default: forever. */
  timeout?: number
  /** Aborting it rejects the wait with the signal's reason (async forms only). */
  signal?: AbortSignal
}

/** The deadline of a queue call's options (NOWAIT for `block: false`); throws on options that make no sense. */
export function waitDeadline(opts: QueueWaitOptions | undefined, where: string): number | null {
  if (opts === undefined) return null
  checkObject(opts, where)
  // Python spells it `block`; the shared check says `blocking`.
  if (opts.block !== undefined && typeof opts.block !== 'boolean') throw new TypeError(`${where}: options.block must be true or false (got ${describe(opts.block)})`)
  return deadlineFrom({ blocking: opts.block, timeout: opts.timeout, signal: opts.signal }, where)
}

/** The deadline of a `{ timeout, signal }` options object (pipes' `recv`). */
export function timeoutDeadline(opts: { timeout?: number; signal?: AbortSignal } | undefined, where: string): number | null {
  if (opts === undefined) return null
  checkObject(opts, where)
  signalFrom(opts, where)
  return deadlineOf(timeoutOf(opts, where))
}

/** A number where the options go is a timeout passed the Python way: say how to pass it. */
function checkObject(opts: unknown, where: string): void {
  if (typeof opts === 'object' && opts !== null) return
  const hint = typeof opts === 'number' ? `; to wait at most ${opts} ms pass { timeout: ${Number.isFinite(opts) && opts >= 0 ? opts : 1000} }${Number.isNaN(opts) || opts < 0 ? ' (a timeout is never negative or NaN)' : ''}` : ''
  throw new TypeError(`${where}: options must be an object such as { timeout: 1000 } (got ${describe(opts)})${hint}`)
}

export function drained(name: string): EOFError {
  return new EOFError(`${name}: the queue is closed and nothing is left in it`)
}

/** `what`: the class and name (`Queue "jobs"`); `peers`: who else holds it and waits (observed.ts). */
export function timedOutFull(what: string, size: number, peers: string): string {
  return `${what}.put(): the queue stayed full (${size} items) until the timeout; ${peers}. Wait longer, or read from it faster`
}

export function timedOutEmpty(what: string, peers: string): string {
  return `${what}.get(): nothing arrived before the timeout; ${peers}. Wait longer, or check that a producer is running`
}

export function tooBig(where: string, length: number, capacity: number): RangeError {
  return new RangeError(`${where}: the item takes ${length} bytes, more than the queue's capacity of ${capacity} bytes; create it with a larger { capacity } (up to 1 GiB), or share big data through SharedMemory`)
}

export function bytesFull(name: string, capacity: number): string {
  return `${name}.put(): the unread items fill the queue's capacity of ${capacity} bytes, so an unbounded queue can't take more; read faster, or create it with a larger { capacity } (up to 1 GiB)`
}

/** What a queue's calls are called in errors, made once per queue handle (a template literal per call would allocate on every put and get). */
export interface OpNames {
  put: string
  putSync: string
  get: string
  getSync: string
}

/** The {@link OpNames} of queue class `name`. */
export function opNames(name: string): OpNames {
  return { put: `${name}.put()`, putSync: `${name}.putSync()`, get: `${name}.get()`, getSync: `${name}.getSync()` }
}
