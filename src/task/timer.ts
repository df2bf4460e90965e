/**
 * One timer helper for every timeout of the task level (internal).
 *
 * How it works: Node's `setTimeout` treats delays above 2^31-1 ms (~24.8 days)
 * as 1 ms, so longer delays are chained in steps; `Infinity` sets no timer at
 * all. Returns a function that cancels the timer.
 */

const MAX_DELAY = 2_147_483_647

/** Calls `cb` after `ms` milliseconds; returns a canceller. `Infinity` never fires. */
export function after(ms: number, cb: () => void): () => void {
  if (ms === Infinity) return noop
  let handle: ReturnType<typeof setTimeout>
  const arm = (left: number): void => {
    handle = setTimeout(left > MAX_DELAY ? () => arm(left - MAX_DELAY) : cb, Math.min(left, MAX_DELAY))
  }
  arm(ms)
  return () => clearTimeout(handle)
}

/** Does nothing; the canceller of a timer that was never set. */
export function noop(): void {}
