/**
 * `withTimeout`: gevent's `Timeout`/`with_timeout` for promises and async work.
 *
 * How it works: races the work against one timer. Given a function, it owns
 * an AbortController and aborts it with the same `TimeoutError` it rejects
 * with, so the work can stop; given a `Task`, it kills the task with it.
 * Given a plain promise, it can only stop waiting.
 */
import { TimeoutError } from '../errors.js'
import { Task } from './task.js'
import { after } from './timer.js'
import { checkTimeout, describe } from './validate.js'

/**
 * Waits for `work` at most `ms` milliseconds, then rejects with skein's
 * {@link TimeoutError}.
 *
 * `work` is a promise (or any thenable, e.g. a `Task`), or a function called
 * at once with an AbortSignal that aborts, with that same TimeoutError, when
 * the time is up: pass it on (to `fetch`, `sleep`, …) so slow work is
 * cancelled rather than left running. A `Task` is killed at the timeout. The
 * work's own error or value wins if it comes first. A negative or NaN `ms`
 * rejects with a RangeError; a `work` that is neither rejects with a TypeError.
 *
 * @example
 * import { withTimeout, sleep, TimeoutError } from 'skein'
 * const v = await withTimeout(1000, async (signal) => { await sleep(5, { signal }); return 'done' })
 * await withTimeout(10, (signal) => sleep(60_000, { signal })).catch((e) => console.log(e instanceof TimeoutError)) // true
 */
export function withTimeout<T>(ms: number, work: PromiseLike<T>): Promise<T>
export function withTimeout<R>(ms: number, work: (signal: AbortSignal) => R): Promise<Awaited<R>>
export function withTimeout(ms: number, work: unknown): Promise<unknown> {
  let limit: number
  try {
    if (ms === undefined || ms === null) throw new RangeError('withTimeout(ms, work): ms is required: a number of milliseconds >= 0')
    limit = checkTimeout(ms, 'withTimeout(ms, work)') as number
    const isThenable = work !== null && typeof work === 'object' && typeof (work as { then?: unknown }).then === 'function'
    if (typeof work !== 'function' && !isThenable) {
      throw new TypeError(`withTimeout(ms, work): work must be a promise or a function (signal) => …, got ${describe(work)}`)
    }
  } catch (e) {
    return Promise.reject(e)
  }
  return new Promise<unknown>((resolve, reject) => {
    const ctl = typeof work === 'function' ? new AbortController() : null
    let settled = false
    const cancel = after(limit, () => {
      if (settled) return
      settled = true
      const err = new TimeoutError(`the work did not finish within ${limit} ms: give it a longer timeout, or make it faster`)
      if (ctl !== null) ctl.abort(err) // tell the work first, then the waiter
      else if (work instanceof Task) void work.kill(err)
      reject(err)
    })
    const ok = (v: unknown): void => { if (!settled) { settled = true; cancel(); resolve(v) } }
    const fail = (e: unknown): void => { if (!settled) { settled = true; cancel(); reject(e) } }
    try {
      const p = ctl !== null ? (work as (signal: AbortSignal) => unknown)(ctl.signal) : work
      Promise.resolve(p).then(ok, fail)
    } catch (e) {
      fail(e)
    }
  })
}
