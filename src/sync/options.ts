/**
 * The public options of blocking calls, validated once and turned into the
 * one internal form every wait uses: a deadline (`performance.now()` time,
 * or null for none), or `NOWAIT` for a non-blocking try.
 */
import { deadlineOf } from './wait.js'

/**
 * Options of `acquire`-style calls.
 *
 * @example
 * import { Lock } from 'skein'
 * const lock = new Lock()
 * const got = await lock.acquire({ timeout: 100, signal: AbortSignal.timeout(1000) })
 */
export interface BlockingOptions {
  /** `false`: don't wait at all; default `true`. */
  blocking?: boolean
  /** Milliseconds to wait at most; default: forever. */
  timeout?: number
  /** Aborting it rejects the wait with the signal's reason (async forms only). */
  signal?: AbortSignal
}

/** Only try, never wait. */
export const NOWAIT = -1

/**
 * Validates a timeout argument: a non-negative number of milliseconds
 * (Infinity allowed) or undefined. A negative or NaN timeout is a
 * RangeError (Python's ValueError); any other type a TypeError.
 */
export function checkTimeout(timeout: unknown, where: string): number | undefined {
  if (timeout === undefined || timeout === null) return undefined
  if (typeof timeout !== 'number') {
    throw new TypeError(`${where}: timeout must be a number of milliseconds (got ${describe(timeout)}); omit it to wait forever`)
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`${where}: timeout must be a non-negative number of milliseconds (got ${String(timeout)}); omit it to wait forever`)
  }
  return timeout
}

/**
 * Whether `opts` is a well-formed options object: the cheap check an
 * acquire makes before its uncontended fast path, so a bad argument is an
 * error even when the lock happens to be free ({@link badOptions} says what).
 */
export function validOptions(opts: unknown): boolean {
  if (typeof opts !== 'object' || opts === null) return false
  const { timeout, blocking, signal } = opts as BlockingOptions
  return (timeout == null || (typeof timeout === 'number' && timeout >= 0)) &&
    (blocking === undefined || typeof blocking === 'boolean') &&
    (signal === undefined || signal instanceof AbortSignal) &&
    !(blocking === false && timeout != null)
}

/** The error for options {@link validOptions} refused. */
export function badOptions(opts: unknown, where: string): Error {
  try {
    deadlineFrom(opts as BlockingOptions, where)
  } catch (error) {
    return error as Error
  }
  return new TypeError(`${where}: bad options ${describe(opts)}`)
}

/** The `timeout` of an options object (checked), after checking `opts` is one. */
export function timeoutOf(opts: { timeout?: number } | undefined, where: string): number | undefined {
  if (opts === undefined) return undefined
  checkOptionsObject(opts, where)
  return checkTimeout(opts.timeout, where)
}

/** The deadline of `opts`, or NOWAIT. */
export function deadlineFrom(opts: BlockingOptions | undefined, where: string): number | null {
  if (opts === undefined) return null
  checkOptionsObject(opts, where)
  if (opts.blocking !== undefined && typeof opts.blocking !== 'boolean') {
    throw new TypeError(`${where}: options.blocking must be a boolean (got ${describe(opts.blocking)})`)
  }
  signalFrom(opts, where)
  const timeout = checkTimeout(opts.timeout, where)
  if (opts.blocking === false) {
    if (timeout !== undefined) throw new TypeError(`${where}: a non-blocking call can't take a timeout; pass one or the other`)
    return NOWAIT
  }
  return deadlineOf(timeout)
}

/** The options' signal, checked: a TypeError unless `opts` is undefined or an object whose `signal` is undefined or an AbortSignal. */
export function signalFrom(opts: { signal?: AbortSignal } | undefined, where: string): AbortSignal | undefined {
  if (opts === undefined) return undefined
  checkOptionsObject(opts, where)
  if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) {
    throw new TypeError(`${where}: options.signal must be an AbortSignal (e.g. AbortSignal.timeout(1000)), got ${describe(opts.signal)}`)
  }
  return opts.signal
}

function checkOptionsObject(opts: unknown, where: string): void {
  if (typeof opts !== 'object' || opts === null) {
    throw new TypeError(`${where}: options must be an object such as { timeout: 100 } (got ${describe(opts)}); Python's positional block/blocking and timeout arguments are named options here, the timeout in milliseconds`)
  }
}

/** Whether `deadline` has passed (NOWAIT always has). */
export function expired(deadline: number | null): boolean {
  return deadline !== null && (deadline === NOWAIT || performance.now() >= deadline)
}

/** A value as an error message shows it: strings quoted, objects by class. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'symbol') return 'a symbol'
  if (typeof value === 'object' && value !== null) {
    try {
      // The prototype, not value.constructor: a hostile object's getters must not run inside an error message.
      return `a ${(Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'null-prototype object'}`
    } catch {
      return 'an object'
    }
  }
  return String(value)
}
