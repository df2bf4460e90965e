/**
 * `Timer`: a Thread that runs `target(...args)` once after `interval` ms,
 * unless cancel() was called first (Python's `threading.Timer`).
 *
 * How it works: a shared word (`cancelled`, an Int32Array on a
 * SharedArrayBuffer, cloned to the worker as a field) is waited on with
 * `Atomics.wait` for `interval` ms inside the worker; cancel() sets it and
 * notifies, so the worker wakes and returns without calling the target.
 */
import { Thread } from './thread.js'

/**
 * Runs a function once after a delay on its own thread; cancel() stops it.
 *
 * @example
 * import { Timer, isMainThread } from 'skein'
 * export function ring() { console.log('ring') }
 * if (isMainThread()) {
 *   const t = new Timer(100, ring)
 *   await t.start(); t.cancel(); await t.join() // never rings
 * }
 */
export class Timer extends Thread {
  /** The delay in ms. */
  readonly interval: number
  /** Shared cancel flag: 1 once cancelled. */
  readonly cancelled: Int32Array

  constructor(interval: number, target: (...args: never[]) => unknown, args: readonly unknown[] = []) {
    if (typeof interval !== 'number' || !(interval >= 0)) throw new RangeError('Timer interval must be a number of milliseconds ≥ 0')
    super({ target, args })
    this.interval = interval
    this.cancelled = new Int32Array(new SharedArrayBuffer(4))
  }

  /** Stops the timer if it has not fired yet. */
  cancel(): void {
    Atomics.store(this.cancelled, 0, 1)
    Atomics.notify(this.cancelled, 0)
  }

  override run(): unknown {
    Atomics.wait(this.cancelled, 0, 0, this.interval)
    if (Atomics.load(this.cancelled, 0) === 1) return undefined
    return super.run()
  }
}
