/**
 * `sleep`: gevent's `sleep`, cancellable through an AbortSignal.
 *
 * How it works: one `setTimeout` (chained for delays beyond ~24.8 days) and
 * one `abort` listener, each removing the other when it fires.
 */
import { abortReason } from '../errors.js'
import { after } from './timer.js'
import { checkSignal, describe } from './validate.js'

/** Options of {@link sleep}. */
export interface SleepOptions {
  /** Aborting it ends the sleep early, rejecting with the signal's reason. */
  signal?: AbortSignal
}

/**
 * Resolves after `ms` milliseconds; `sleep(0)` yields to the event loop once.
 *
 * An aborted `signal` rejects with its reason (at once if it is already
 * aborted). `Infinity` sleeps until the signal aborts. A negative or NaN `ms`
 * rejects with a RangeError.
 *
 * @example
 * import { sleep } from 'skein'
 * await sleep(10)
 * await sleep(1000, { signal: AbortSignal.timeout(5) }).catch((e) => console.log(e.name)) // TimeoutError
 */
export function sleep(ms: number, options: SleepOptions = {}): Promise<void> {
  let signal: AbortSignal | undefined
  try {
    if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) {
      throw new RangeError(`sleep(ms): ms must be a number of milliseconds >= 0, got ${describe(ms)}`)
    }
    signal = checkSignal(options?.signal, 'sleep(ms, options)')
  } catch (e) {
    return Promise.reject(e)
  }
  if (signal === undefined) return new Promise<void>((resolve) => { after(ms, resolve) })
  if (signal.aborted) return Promise.reject(abortReason(signal))
  const s = signal
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { cancel(); reject(abortReason(s)) }
    const cancel = after(ms, () => { s.removeEventListener('abort', onAbort); resolve() })
    s.addEventListener('abort', onAbort, { once: true })
  })
}
