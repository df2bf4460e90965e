/**
 * This thread's doorbell: an async sleep that another thread or process ends
 * in one hop, by ringing the bell (native/doorbell.cc) instead of waking a
 * futex that the waiter thread relays to the event loop.
 *
 * How it is used (queue/wait-set.ts). A sleeper that holds a slot of a wait
 * set writes this thread's bell id into the slot before it announces that
 * it sleeps; a waker that claims the slot bumps its sequence word, then
 * rings the bell named there (or wakes the futex when there is none, or
 * ringing fails). A sleep here ends once its sequence word has moved from
 * the value the sleeper read, its deadline passes, or it is cancelled.
 *
 * Why no ring is lost: the waker moves the word *before* it rings, and a
 * sleep checks the word when it starts and again after every ring it
 * hears. A ring that arrives before the sleep starts is either still queued
 * in the socket (so the poll fires at once) or was drained by an earlier
 * check, which ran after the word moved; either way the sleep sees the
 * move. A datagram says nothing itself: forged or stray rings only cost a
 * check.
 *
 * @example
 * import { doorbell } from './doorbell.js'
 * const bell = doorbell() // undefined where the name could not be bound
 */
import { native } from '../native.js'
import { selfTid } from './identity.js'

interface BellSleep {
  i32: Int32Array
  index: number
  expected: number
  resolve: (woken: boolean) => void
  timer: NodeJS.Timeout | undefined
}

/** One thread's doorbell. */
export class Doorbell {
  /** What a waker rings (this thread's kernel tid). */
  readonly id: number
  readonly #sleeps = new Set<BellSleep>()

  /** @internal Use {@link doorbell}. */
  constructor(id: number) {
    this.id = id
  }

  /**
   * Resolves true once word `index` of `i32` no longer holds `expected`
   * (checked now and after each ring), false at `deadline`
   * (`performance.now()` time; null: none). `cancel` ends it early (false).
   */
  sleep(i32: Int32Array, index: number, expected: number, deadline: number | null): { woken: Promise<boolean>; cancel: () => void } {
    let sleep: BellSleep | undefined
    const woken = new Promise<boolean>((resolve) => {
      if (Atomics.load(i32, index) !== expected) return resolve(true)
      sleep = { i32, index, expected, resolve, timer: undefined }
      if (deadline !== null) sleep.timer = setTimeout(() => this.#end(sleep!, false), Math.max(0, deadline - performance.now()))
      if (this.#sleeps.size === 0) native.bellListen(true)
      this.#sleeps.add(sleep)
    })
    return { woken, cancel: () => { if (sleep !== undefined) this.#end(sleep, false) } }
  }

  /** @internal The bell rang: every sleep whose word moved ends. */
  rang(): void {
    for (const sleep of this.#sleeps) if (Atomics.load(sleep.i32, sleep.index) !== sleep.expected) this.#end(sleep, true)
  }

  #end(sleep: BellSleep, woken: boolean): void {
    if (!this.#sleeps.delete(sleep)) return
    if (sleep.timer !== undefined) clearTimeout(sleep.timer)
    if (this.#sleeps.size === 0) native.bellListen(false)
    sleep.resolve(woken)
  }
}

let bell: Doorbell | null | undefined // null: tried, unavailable in this thread
let bellTid = 0 // the thread it was made for (a fork server child is a copy of the server: its own thread now)

/** This thread's doorbell, bound on first use; undefined where it can't be (the futex path serves then). */
export function doorbell(): Doorbell | undefined {
  if (bellTid !== selfTid) {
    bell = undefined
    bellTid = selfTid
  }
  if (bell === undefined) {
    const candidate = new Doorbell(selfTid)
    bell = native.bellOpen(selfTid, () => candidate.rang()) ? candidate : null
  }
  return bell ?? undefined
}

/** Rings doorbell `id` (read from shared memory: any value is safe to ring); false when nobody holds it. */
export function ring(id: number): boolean {
  if (bell !== undefined && bell !== null && bellTid === selfTid && id === bell.id) {
    bell.rang() // this thread's own sleep (a put by the thread that awaits): no system call
    return true
  }
  return id > 0 && native.bellRing(id >>> 0)
}
