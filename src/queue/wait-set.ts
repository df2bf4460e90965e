/**
 * How a queue's waiters sleep and who wakes them: readers on NOT_EMPTY,
 * writers blocked on a full queue on NOT_FULL, `join()` on JOINED.
 *
 * How it works. A wait set is 31 sleeper *slots* and one overflow slot in
 * shared memory, and a MASK word with one bit per slot:
 *
 *   MASK        bit i set: slot i's sleeper has announced that it is about
 *               to sleep and nobody has claimed it yet; bit 31: at least
 *               one overflow sleeper announced
 *   OWNER[i]    the owner id (identity.ts) holding slot i, 0 when free
 *               (taken with a CAS 0 → id, or from a dead holder's id)
 *   SLOT[i]     SEQ, FLAGS, BELL: the sequence word slot i sleeps on (a
 *               WaitWord, wait.ts); BELL: the doorbell its async sleeper
 *               hears (sync/doorbell.ts), 0: wake the futex; slot 31 is
 *               the overflow slot (futex only)
 *
 * A sleeper (one per blocked thread, and one per queue handle for all its
 * thread's async waiters) holds a slot for as long as it waits. Each round
 * it reads its slot's SEQ, sets its MASK bit (*announces*), then makes its
 * last check (tries to take, to put…) and only then sleeps while SEQ holds
 * what it read. A waker first publishes its change (the put's committed
 * count), then reads MASK: 0 (the common case, one load) means nobody
 * sleeps; otherwise it clears one set bit with an atomic AND and, if that
 * bit was still set, it has *claimed* that sleeper alone: it bumps the
 * slot's SEQ and wakes it. Every step is a sequentially consistent atomic,
 * so either the sleeper's last check saw the change or the waker's read of
 * MASK saw the announcement (Dekker): no wake-up is lost. A claim names one
 * sleeper, so no other sleeper can take the wake (none is stolen); a
 * sleeper that leaves without being woken clears its own bit, and one that
 * finds its bit already cleared knows it was claimed. A claimed sleeper
 * always tries once more before it sleeps again or leaves; one that leaves
 * without trying (aborted, or its handle's last waiter left) passes the
 * claim on. Wakers wake only announced sleepers: a put into a queue whose
 * reader is busy, or spinning, makes no system call.
 *
 * More than 31 sleepers at once share the overflow slot; bit 31 of MASK
 * then asks the next waker to wake every sleeper (correct, and only as
 * costly as a herd). A writer blocked for ring bytes rather than items sets
 * it too, so that room freed for a small item is not spent waking only a
 * large one.
 *
 * Sleeping: a blocked thread sleeps in the kernel (futex); a queue handle's
 * async waiters queue here, first in first out, and share one slot and one
 * async sleep: on a shared queue, on the thread's doorbell when it has one
 * (one hop from the waker to the event loop), else through the wait core.
 * A waker that claims a slot bumps its SEQ, then rings the slot's BELL, or
 * wakes the futex when BELL is 0 or nobody answers to it. While a queue is shared, a sleep also ends
 * after `backstop` ms and the waiter looks again: the one case no wake can
 * cover is a peer killed between publishing its change and waking (see
 * docs/queues.md); it never replaces a wake-up.
 */
import { WaitWord, SHARED } from '../sync/wait.js'
import { AsyncWait, SyncWait, type Observed } from '../observe/waiting.js'
import { WAIT_MASK, WAIT_OWNER, WAIT_SLOTS, countSleepers } from './layout.js'
import { isAlive, owner } from '../sync/identity.js'
import { doorbell, ring } from '../sync/doorbell.js'
import { abortReason } from '../errors.js'
import type { Segment } from '../shm/segment.js'

/** Sleeper slots per wait set (one more, the overflow slot, is shared). */
export const SLOTS = WAIT_SLOTS
const OVERFLOW = 31
const OVERFLOW_BIT = 1 << 31
const ALL_SLOTS = ~OVERFLOW_BIT
const MASK = WAIT_MASK
/** Int32 index, in a wait set, of OWNER[0] (the holders of the slots, 0 = free). */
export const OWNER = WAIT_OWNER
const SLOT_AT = 33
const SLOT_WORDS = 3
/** A slot's third word: the doorbell its async sleeper hears (0: its futex). */
const BELL = 2

interface Waiter {
  attempt: () => boolean
  resolve: (ok: boolean) => void
  reject: (reason: unknown) => void
  timer: NodeJS.Timeout | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

/** One wait set in a queue's segment, as this handle sees it. */
export class WaitSet {
  readonly #segment: Segment
  readonly #i32: Int32Array
  readonly #mask: number
  readonly #words: Array<WaitWord | undefined> = []
  #rotor = 0
  /** What the registry shows a sleeper here as (the queue sets it; observe/waiting.ts). */
  observed: Observed | undefined
  // This handle's async waiters, the slot they share, and whether it is announced.
  readonly #fifo: Waiter[] = []
  #slot = -1
  #armed = false
  #seen = 0
  #pumping = false
  #cancelSleep: (() => void) | undefined

  /** The wait set at byte `at` of `segment`. */
  constructor(segment: Segment, at: number) {
    this.#segment = segment
    this.#i32 = segment.i32
    this.#mask = (at >> 2) + MASK
  }

  /** Whether the queue was handed to another thread or process (then sleeps are bounded by the backstop). */
  get shared(): boolean {
    return (Atomics.load(this.#i32, this.#mask + SLOT_AT + OVERFLOW * SLOT_WORDS + 1) & SHARED) !== 0
  }

  /** Marks every slot shared (the queue is being described for elsewhere); this thread's waits start hearing wakes from elsewhere. */
  markShared(): void {
    for (let i = 0; i <= SLOTS; i++) {
      const word = this.#words[i]
      if (word !== undefined) word.markShared()
      else Atomics.or(this.#i32, this.#mask + SLOT_AT + i * SLOT_WORDS + 1, SHARED)
    }
  }

  /** Wakes one announced sleeper, if any (after the change it waits for was published). */
  wakeOne(): void {
    const m = Atomics.load(this.#i32, this.#mask)
    if (m !== 0) this.#claim(m)
  }

  /**
   * Asks the next waker to wake every sleeper instead of one (sets MASK bit
   * 31): for a sleeper that a single wake might not serve (a writer blocked
   * for ring bytes rather than items). Call after announcing, before sleeping.
   */
  wakeAllNext(): void {
    Atomics.or(this.#i32, this.#mask, OVERFLOW_BIT)
  }

  /** Wakes every announced sleeper (close, join, recovery after a peer died). */
  wakeAll(): void {
    const m = Atomics.exchange(this.#i32, this.#mask, 0)
    for (let i = 0; i < SLOTS; i++) if ((m & (1 << i)) !== 0) this.#wake(i)
    if ((m & OVERFLOW_BIT) !== 0) this.#word(OVERFLOW).notify()
  }

  /** Wakes slot `i`'s sleeper (claimed): bumps its SEQ, then rings its doorbell, or wakes its futex. */
  #wake(i: number): void {
    const word = this.#word(i)
    const bell = Atomics.load(this.#i32, word.seq + BELL)
    if (bell === 0) return word.notify(1, 1)
    Atomics.add(this.#i32, word.seq, 1)
    if (!ring(bell)) word.wake(1, 1)
  }

  /**
   * Blocks this thread until `attempt()` returns true (then true) or
   * `deadline` passes (then false, after a last failed attempt).
   */
  waitSync(attempt: () => boolean, deadline: number | null, backstop: number): boolean {
    const slot = this.#acquireSlot()
    const word = this.#word(slot)
    const bit = slot === OVERFLOW ? OVERFLOW_BIT : 1 << slot
    const i32 = this.#i32
    let published: SyncWait | undefined // in the registry from the first real sleep
    try {
      for (;;) {
        const seen = Atomics.load(i32, word.seq)
        Atomics.or(i32, this.#mask, bit)
        if (attempt()) return true
        const now = performance.now()
        if (deadline !== null && now >= deadline) return false
        if (this.observed !== undefined) published ??= new SyncWait(this.#segment, this.observed)
        const until = this.#until(deadline, now, backstop)
        word.sleepSync(seen, published === undefined ? until : published.clamp(until))
        if (slot !== OVERFLOW) Atomics.and(i32, this.#mask, ~bit)
        published?.afterSleep()
      }
    } finally {
      published?.end()
      if (slot !== OVERFLOW) {
        Atomics.and(i32, this.#mask, ~bit)
        this.#releaseSlot(slot)
      }
    }
  }

  /**
   * The async form of {@link waitSync}: resolves true once `attempt()`
   * succeeds, false at `deadline` (after a last attempt); rejects with the
   * signal's reason on abort. Waiters of one handle are served in order.
   */
  wait(attempt: () => boolean, deadline: number | null, signal: AbortSignal | undefined, backstop: number): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    return new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = { attempt, resolve, reject, timer: undefined, signal, onAbort: undefined }
      if (deadline !== null) waiter.timer = setTimeout(() => this.#expire(waiter), Math.max(0, deadline - performance.now()))
      if (signal !== undefined) {
        waiter.onAbort = () => this.#abort(waiter)
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
      this.#fifo.push(waiter)
      if (!this.#pumping) void this.#pump(backstop)
      else if (!this.#armed) {
        this.#arm()
        this.#serve()
      }
    })
  }

  // ----- waking

  #claim(m: number): void {
    if ((m & OVERFLOW_BIT) !== 0) return this.wakeAll()
    const i32 = this.#i32
    let bits = m
    while (bits !== 0) {
      // Start after the slot claimed last, so no sleeper is passed over for ever.
      const later = bits & (-1 << this.#rotor)
      const from = later !== 0 ? later : bits
      const i = 31 - Math.clz32(from & -from)
      this.#rotor = i + 1 === SLOTS ? 0 : i + 1
      const bit = 1 << i
      if ((Atomics.and(i32, this.#mask, ~bit) & bit) !== 0) return this.#wake(i)
      bits = Atomics.load(i32, this.#mask) & ALL_SLOTS
    }
  }

  // ----- the async waiters of this handle: one slot, one pump

  async #pump(backstop: number): Promise<void> {
    this.#pumping = true
    this.#slot = this.#acquireSlot()
    const word = this.#word(this.#slot)
    // A doorbell is announced in the slot before the slot is (a waker reads BELL after claiming it).
    const bell = this.#slot !== OVERFLOW && this.shared ? doorbell() : undefined
    if (bell !== undefined) Atomics.store(this.#i32, word.seq + BELL, bell.id)
    let published: AsyncWait | undefined // one record for this handle's sleeping tasks, from their first real sleep
    try {
      for (;;) {
        if (!this.#armed) this.#arm()
        this.#serve()
        if (this.#fifo.length === 0) break
        if (this.observed !== undefined) published ??= new AsyncWait(this.#segment, this.observed, false, undefined)
        const until = this.#until(null, performance.now(), backstop)
        if (bell === undefined) await word.sleep(this.#seen, until, undefined)
        else {
          const sleep = bell.sleep(this.#i32, word.seq, this.#seen, until)
          this.#cancelSleep = sleep.cancel
          await sleep.woken
          this.#cancelSleep = undefined
        }
        if (this.#armed) this.#disarm()
        if (this.#fifo.length === 0) break
      }
    } catch (error) {
      for (const waiter of this.#fifo.splice(0)) settle(waiter, () => waiter.reject(error))
    } finally {
      published?.end()
      if (this.#armed && this.#disarm()) this.wakeOne() // claimed, and nobody here to use it: pass it on
      if (bell !== undefined) Atomics.store(this.#i32, word.seq + BELL, 0)
      this.#releaseSlot(this.#slot)
      this.#slot = -1
      this.#pumping = false
    }
  }

  #arm(): void {
    this.#seen = Atomics.load(this.#i32, this.#word(this.#slot).seq)
    Atomics.or(this.#i32, this.#mask, this.#bit())
    this.#armed = true
  }

  /** Withdraws the announcement; true when a waker had claimed it already. */
  #disarm(): boolean {
    this.#armed = false
    if (this.#slot === OVERFLOW) return false
    const bit = this.#bit()
    return (Atomics.and(this.#i32, this.#mask, ~bit) & bit) === 0
  }

  /** Runs the oldest waiters' attempts until one fails. */
  #serve(): void {
    const fifo = this.#fifo
    while (fifo.length > 0) {
      const waiter = fifo[0]!
      let ok: boolean
      try {
        ok = waiter.attempt()
      } catch (error) {
        fifo.shift()
        settle(waiter, () => waiter.reject(error))
        continue
      }
      if (!ok) return
      fifo.shift()
      settle(waiter, () => waiter.resolve(true))
    }
    if (this.#armed) this.#disarm()
  }

  #expire(waiter: Waiter): void {
    if (!this.#leave(waiter)) return
    let ok: boolean
    try {
      ok = waiter.attempt()
    } catch (error) {
      settle(waiter, () => waiter.reject(error))
      return
    }
    settle(waiter, () => waiter.resolve(ok))
  }

  #abort(waiter: Waiter): void {
    if (!this.#leave(waiter)) return
    settle(waiter, () => waiter.reject(abortReason(waiter.signal!)))
  }

  /** Takes a waiter out of the queue; the last one out withdraws the announcement (passing on a claim). */
  #leave(waiter: Waiter): boolean {
    const at = this.#fifo.indexOf(waiter)
    if (at < 0) return false
    this.#fifo.splice(at, 1)
    if (this.#fifo.length === 0 && this.#pumping) {
      if (this.#armed && this.#disarm()) this.wakeOne()
      this.#word(this.#slot).notify() // ends the pump's sleep: nobody is left to wait for
      this.#cancelSleep?.()
    }
    return true
  }

  #bit(): number {
    return this.#slot === OVERFLOW ? OVERFLOW_BIT : 1 << this.#slot
  }

  // ----- slots

  #word(slot: number): WaitWord {
    let word = this.#words[slot]
    if (word === undefined) {
      const at = this.#mask + SLOT_AT + slot * SLOT_WORDS
      word = new WaitWord(this.#segment, at, at + 1, at + 2)
      this.#words[slot] = word
    }
    return word
  }

  /** A free slot (or a dead holder's), else the overflow slot. */
  #acquireSlot(): number {
    const i32 = this.#i32
    const me = owner.id
    for (let i = 0; i < SLOTS; i++) {
      if (Atomics.load(i32, this.#mask + OWNER + i) === 0 && Atomics.compareExchange(i32, this.#mask + OWNER + i, 0, me) === 0) return this.#noBell(i)
    }
    for (let i = 0; i < SLOTS; i++) {
      const holder = Atomics.load(i32, this.#mask + OWNER + i)
      if (holder !== 0 && !isAlive(holder) && Atomics.compareExchange(i32, this.#mask + OWNER + i, holder, me) === holder) {
        Atomics.and(i32, this.#mask, ~(1 << i)) // a dead sleeper's announcement
        return this.#noBell(i)
      }
    }
    return OVERFLOW
  }

  /** A slot just taken: no doorbell until its holder names one (a dead holder's would be rung instead of our futex). */
  #noBell(slot: number): number {
    Atomics.store(this.#i32, this.#mask + SLOT_AT + slot * SLOT_WORDS + BELL, 0)
    return slot
  }

  #releaseSlot(slot: number): void {
    if (slot !== OVERFLOW) Atomics.store(this.#i32, this.#mask + OWNER + slot, 0)
  }

  /** The end of one sleep: the deadline, shortened to the backstop while the queue is shared. */
  #until(deadline: number | null, now: number, backstop: number): number | null {
    if (backstop <= 0 || !this.shared) return deadline
    const by = now + backstop
    return deadline === null || deadline > by ? by : deadline
  }
}

function settle(waiter: Waiter, how: () => void): void {
  if (waiter.timer !== undefined) clearTimeout(waiter.timer)
  if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort)
  how()
}

/** How many sleep on the wait set at byte `at` of a queue's segment now (for timed-out errors; skein top reads the same). */
export function sleepers(i32: Int32Array, at: number): number {
  return countSleepers((i) => Atomics.load(i32, (at >> 2) + i))
}
