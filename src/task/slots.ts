/**
 * `Slots`: the in-thread counting semaphore under `TaskPool` (internal).
 *
 * How it works: a counter of slots in use and a FIFO of waiters (an array
 * with a moving head, compacted when half empty). `acquire()` returns
 * `undefined` when it got a slot synchronously — the hot path allocates
 * nothing — and a promise otherwise; `acquireThen(cb)` is the promise-free
 * form used by `spawn`. `release()` hands the slot straight to
 * the oldest waiter (so a newcomer can never overtake a waiter) or, if none,
 * frees it. Idle callbacks fire when nothing is held and nobody waits.
 */

export class Slots {
  readonly size: number
  #used = 0
  #waiters: Array<(() => void) | undefined> = []
  #head = 0
  #idle: Array<() => void> = []

  constructor(size: number) {
    this.size = size
  }

  /** Slots in use. */
  get used(): number {
    return this.#used
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length - this.#head
  }

  /** Takes a slot: `undefined` if taken at once, else a promise resolved when handed one. */
  acquire(): Promise<void> | undefined {
    if (this.#used < this.size && this.#head === this.#waiters.length) {
      this.#used++
      return undefined
    }
    return new Promise<void>((resolve) => { this.#waiters.push(resolve) })
  }

  /** Takes a slot and calls `cb` holding it: at once if one is free, else when handed one. */
  acquireThen(cb: () => void): void {
    if (this.#used < this.size && this.#head === this.#waiters.length) {
      this.#used++
      cb()
    } else this.#waiters.push(cb)
  }

  /** Gives a slot back: to the oldest waiter if any, else to the free count. */
  release(): void {
    const w = this.#waiters
    if (this.#head < w.length) {
      const next = w[this.#head] as () => void
      w[this.#head++] = undefined
      if (this.#head === w.length) {
        w.length = 0
        this.#head = 0
      } else if (this.#head > 1024 && this.#head * 2 > w.length) {
        this.#waiters = w.slice(this.#head)
        this.#head = 0
      }
      next()
      return
    }
    this.#used--
    if (this.#used === 0 && this.#idle.length > 0) {
      const cbs = this.#idle
      this.#idle = []
      for (const cb of cbs) cb()
    }
  }

  /** Calls `cb` when no slot is held and nobody waits (at once if so now). */
  whenIdle(cb: () => void): void {
    if (this.#used === 0 && this.waiting === 0) cb()
    else this.#idle.push(cb)
  }
}
