/**
 * Argument checks shared by the task level (internal).
 *
 * How it works: the public entry points call these once, at the boundary, and
 * the code behind them trusts their inputs (piscina's split between a
 * validating facade and a non-validating core). Messages name the argument,
 * what was wrong, and what to pass instead.
 */

/** Short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`
  return `${typeof value} ${String(value)}`
}

/** Throws a TypeError unless `fn` is a function. */
export function checkFunction(fn: unknown, where: string): asserts fn is (...args: never[]) => unknown {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `${where}: fn must be a function, got ${describe(fn)}; pass the function itself, e.g. spawn(work, 1), not spawn(work(1))`,
    )
  }
}

/**
 * Throws a RangeError unless `ms` is `undefined`/`null` (no timeout) or a
 * non-negative number (`Infinity` allowed). Returns the timeout or `null`.
 */
export function checkTimeout(ms: unknown, where: string): number | null {
  if (ms === undefined || ms === null) return null
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) {
    throw new RangeError(
      `${where}: the timeout must be a number of milliseconds >= 0 (or undefined for none), got ${describe(ms)}`,
    )
  }
  return ms
}

/** Throws a RangeError unless `size` is a positive integer or `Infinity`. */
export function checkSize(size: unknown, where: string): number {
  if (typeof size !== 'number' || !(size === Infinity || (Number.isInteger(size) && size >= 1))) {
    throw new RangeError(`${where}: size must be a positive integer (or Infinity for no limit), got ${describe(size)}`)
  }
  return size
}

/** Throws a TypeError unless `signal` is `undefined` or an AbortSignal. */
export function checkSignal(signal: unknown, where: string): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal
  throw new TypeError(`${where}: options.signal must be an AbortSignal (e.g. AbortSignal.timeout(1000)), got ${describe(signal)}`)
}

/** Throws a TypeError unless `it` is iterable. */
export function checkIterable(it: unknown, where: string): asserts it is Iterable<unknown> {
  if (it === null || it === undefined || typeof (it as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw new TypeError(`${where}: iterable must be an Iterable (an array, Set, generator…), got ${describe(it)}`)
  }
}
