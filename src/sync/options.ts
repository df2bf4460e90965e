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

/** Validates a timeout argument: a non-negative number (Infinity allowed) or undefined. */
export function checkTimeout(timeout: unknown, where: string): number | undefined {
  if (timeout === undefined || timeout === null) return undefined
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`${where}: timeout must be a non-negative number of milliseconds (got ${String(timeout)}); omit it to wait forever`)
  }
  return timeout
}

/** The deadline of `opts`, or NOWAIT. */
export function deadlineFrom(opts: BlockingOptions | undefined, where: string): number | null {
  if (opts === undefined) return null
  const timeout = checkTimeout(opts.timeout, where)
  if (opts.blocking === false) {
    if (timeout !== undefined) throw new TypeError(`${where}: a non-blocking call can't take a timeout; pass one or the other`)
    return NOWAIT
  }
  return deadlineOf(timeout)
}

/** Whether `deadline` has passed (NOWAIT always has). */
export function expired(deadline: number | null): boolean {
  return deadline !== null && (deadline === NOWAIT || performance.now() >= deadline)
}
