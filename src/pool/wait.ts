/**
 * `asCompleted` and `wait`: Python's `concurrent.futures.as_completed` and
 * `concurrent.futures.wait`.
 */
import { TimeoutError } from '../errors.js'
import type { Future } from './future.js'

/** `wait()` returns when any future finishes. */
export const FIRST_COMPLETED = 'FIRST_COMPLETED'
/** `wait()` returns when any future finishes with an error (or all are done). */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION'
/** `wait()` returns when all futures are done. */
export const ALL_COMPLETED = 'ALL_COMPLETED'
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED

/** Options of {@link wait}. */
export interface WaitOptions {
  /** Milliseconds to wait at most (then it returns what is done so far). */
  timeout?: number
  /** When to return; default ALL_COMPLETED. */
  returnWhen?: ReturnWhen
}

/**
 * Yields each future as it finishes (cancelled ones included). With
 * `timeout`, throws TimeoutError if some are still running after that many ms.
 *
 * @example
 * import { ThreadPoolExecutor, asCompleted } from 'skein'
 * import { square } from './work.js'
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 2 })
 * for await (const f of asCompleted([1, 2, 3].map((x) => ex.submit(square, x)))) console.log(await f.result())
 */
export function asCompleted<T>(futures: Iterable<Future<T>>, timeout?: number): AsyncIterable<Future<T>> {
  // Not an async generator: `yield` would await the (thenable) future and hand out its value.
  const left = new Set(futures)
  const deadline = timeout === undefined ? Infinity : performance.now() + checkTimeout(timeout)
  const finished: Array<Future<T>> = []
  // Every next() waiting at once is woken (one variable would keep only the last one).
  const wakers = new Set<() => void>()
  for (const f of left) f.addDoneCallback(() => { finished.push(f); for (const wake of wakers) wake() })
  const next = async (): Promise<IteratorResult<Future<T>>> => {
    for (;;) {
      if (left.size === 0) return { done: true, value: undefined }
      const f = finished.shift()
      if (f !== undefined) {
        if (left.delete(f)) return { done: false, value: f }
        continue
      }
      const ms = deadline - performance.now()
      if (ms <= 0) throw new TimeoutError(`asCompleted: ${left.size} of the futures had not finished within ${timeout} ms`)
      let timer: NodeJS.Timeout | undefined
      let wake: (() => void) | undefined
      await new Promise<void>((resolve) => {
        wake = resolve
        wakers.add(resolve)
        if (ms !== Infinity) timer = setTimeout(resolve, ms)
      })
      clearTimeout(timer)
      wakers.delete(wake!)
    }
  }
  return { [Symbol.asyncIterator]: () => ({ next }) }
}

/**
 * Waits for futures; resolves with the sets of done and not-done ones.
 *
 * @example
 * import { ThreadPoolExecutor, wait, FIRST_COMPLETED } from 'skein'
 * import { sleepMs } from './work.js'
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 2 })
 * const { done, notDone } = await wait([ex.submit(sleepMs, 10), ex.submit(sleepMs, 500)], { returnWhen: FIRST_COMPLETED })
 * console.log(done.size, notDone.size) // 1 1
 */
export async function wait<T>(futures: Iterable<Future<T>>, options: WaitOptions = {}): Promise<{ done: Set<Future<T>>; notDone: Set<Future<T>> }> {
  const all = [...futures]
  const returnWhen = options.returnWhen ?? ALL_COMPLETED
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new RangeError(`wait(): returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED (got ${String(returnWhen)})`)
  }
  const deadline = options.timeout === undefined ? Infinity : performance.now() + checkTimeout(options.timeout)
  const failed = (f: Future<T>) => f.done() && !f.cancelled() && f.exception(0).then((e) => e !== null, () => false)
  const enough = async (): Promise<boolean> => {
    const done = all.filter((f) => f.done())
    if (done.length === all.length) return true
    if (returnWhen === FIRST_COMPLETED) return done.length > 0
    if (returnWhen === FIRST_EXCEPTION) for (const f of done) if (await failed(f)) return true
    return false
  }
  for (;;) {
    // Taken before deciding: a future that finishes while enough() awaits is
    // still in `pending`, and addDoneCallback calls back at once for it.
    const pending = all.filter((f) => !f.done())
    if (await enough()) break
    const ms = deadline - performance.now()
    if (ms <= 0) break
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      for (const f of pending) f.addDoneCallback(() => resolve())
      if (ms !== Infinity) timer = setTimeout(resolve, ms)
    })
    clearTimeout(timer)
  }
  const done = new Set(all.filter((f) => f.done()))
  return { done, notDone: new Set(all.filter((f) => !done.has(f))) }
}

function checkTimeout(timeout: number): number {
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) throw new RangeError(`timeout must be a non-negative number of milliseconds (got ${String(timeout)})`)
  return timeout
}
