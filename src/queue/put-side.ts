/**
 * The put side of a FIFO ring: what producers own, under their own lock.
 *
 * How it works. Positions are byte counts since the ring was created, kept
 * as uint32 (they wrap; the ring is a power of two, so a position's ring
 * offset is `position & (R - 1)` and distances are `(a - b) >>> 0`). The
 * committed put state is two copies of {tail, puts, gapAt, gaps, bytes}: a put
 * writes its frame past the tail, then the spare copy, then flips
 * PUT_SELECTOR (the commit: one atomic store), then *publishes*: PUB_GAP_AT
 * and PUB_GAPS if it made a gap, PUB_TAIL, and last PUB_PUTS, the count the
 * take side reads. Published words are copies of the committed state, so a
 * producer killed between its commit and its publication leaves them
 * behind, never ahead; whoever takes its lock over republishes them
 * (`repair`).
 *
 * Room. A frame never straddles the end of the ring: one that does not fit
 * before it makes a *gap* (the rest of the lap is skipped) and goes at
 * offset 0. Frames' bytes unread (P_BYTES put minus PUB_TAKEN taken, one
 * word each, so no pair of words must be read together) stay within the
 * capacity C, and the ring is at least 2C, which makes every frame that
 * fits the capacity fit the ring too, gaps included (docs/queues.md has the
 * argument). The count taken is cached in PUT_KNOWN_TAKEN while it suffices.
 *
 * Restart. A producer whose tail is past RESTART_AFTER and finds the queue
 * empty makes a gap on purpose and starts again at offset 0: a queue that
 * keeps up cycles in its first pages, which stay faulted in (pages.ts).
 */
import { Lock } from '../sync/lock.js'
import { attachAt } from '../shm/arena.js'
import { acquireSide } from './side-lock.js'
import type { RingMemory } from './ring-memory.js'
import { FifoPages } from './pages.js'
import { writePayload, kernelCopied, type Encoded } from './codec.js'
import * as L from './layout.js'

/** Outcomes of a put. */
export const PUT_OK = 0
export const PUT_FULL = 1 // maxsize reached
export const PUT_NO_ROOM = 2 // not enough bytes free for this item now
export const PUT_CLOSED = 3
export type PutOutcome = typeof PUT_OK | typeof PUT_FULL | typeof PUT_NO_ROOM | typeof PUT_CLOSED

/** The producers' half of a FIFO ring. */
export class PutSide {
  readonly lock: Lock
  readonly #m: RingMemory
  readonly #i32: Int32Array
  readonly #pages: FifoPages
  readonly #R: number
  readonly #mask: number
  readonly #C: number
  readonly #maxsize: number
  readonly #repaired: () => void

  /** `repaired` runs after a dead producer's lock was taken over and the state republished (wake every reader). */
  constructor(m: RingMemory, fresh: boolean, repaired: () => void) {
    this.#m = m
    this.#i32 = m.i32
    this.#R = m.ringBytes
    this.#mask = m.ringBytes - 1
    this.#C = m.capacity
    this.#maxsize = m.maxsize
    this.#repaired = repaired
    this.lock = attachAt({ segment: m.segment, offset: L.PUT_LOCK_AT }, () => new Lock())
    this.#pages = new FifoPages(m.segment.sab, m.ringAt, m.ringBytes)
    if (fresh) this.#pages.created()
  }

  /** Writes an encoded item and commits it. */
  put(e: Encoded): PutOutcome {
    const lock = this.lock
    acquireSide(lock)
    try {
      if (lock.recovered) this.#repair()
      return this.#put(e)
    } finally {
      lock.release()
    }
  }

  /** Runs `fn` holding the put lock (close: no put commits after it). */
  locked(fn: () => void): void {
    const lock = this.lock
    acquireSide(lock)
    try {
      if (lock.recovered) this.#repair()
      fn()
    } finally {
      lock.release()
    }
  }

  #put(e: Encoded): PutOutcome {
    const i32 = this.#i32
    if (Atomics.load(i32, L.CLOSED) !== 0) return PUT_CLOSED
    const b = L.PUT_STATE + this.#m.selector(L.PUT_SELECTOR) * L.PUT_WORDS
    const tail = i32[b + L.P_TAIL]! >>> 0
    const puts = i32[b + L.P_PUTS]!
    const gapAt = i32[b + L.P_GAP_AT]! >>> 0
    const gaps = i32[b + L.P_GAPS]!
    const bytes = i32[b + L.P_BYTES]!
    if (this.#maxsize > 0 && !this.#countRoom(puts)) return PUT_FULL
    const size = L.frameSize(L.FIFO_HEADER, e.length)
    let at = tail & this.#mask
    let pad = 0
    if (at + size > this.#R) pad = this.#R - at
    else if (at >= L.RESTART_AFTER && (at & (L.PAGE - 1)) < size && this.#emptyAt(puts, tail, gaps)) {
      pad = this.#R - at
      this.#pages.restart(tail, at)
    }
    if (!this.#room(bytes, size)) return PUT_NO_ROOM
    if (pad > 0) at = 0
    // A payload the kernel copies in needs only its header's page here.
    if (kernelCopied(e)) this.#pages.beforeWrite(at, at + L.FIFO_HEADER, 0)
    else this.#pages.beforeWrite(at, at + size)
    const m = this.#m
    const frame = m.ringAt + at
    i32[frame >>> 2] = e.length
    i32[(frame >>> 2) + 1] = e.tag
    writePayload(e, m.buf, m.f64, frame + L.FIFO_HEADER)
    // Commit: the spare copy, then one store flips to it.
    const newTail = (tail + pad + size) >>> 0
    const s = b === L.PUT_STATE ? L.PUT_STATE + L.PUT_WORDS : L.PUT_STATE
    i32[s + L.P_TAIL] = newTail | 0
    i32[s + L.P_PUTS] = (puts + 1) | 0
    i32[s + L.P_GAP_AT] = (pad > 0 ? tail : gapAt) | 0
    i32[s + L.P_GAPS] = (pad > 0 ? gaps + 1 : gaps) | 0
    i32[s + L.P_BYTES] = (bytes + size) | 0
    Atomics.store(i32, L.PUT_SELECTOR, s === L.PUT_STATE ? 0 : 1)
    // Publish: the gap before the count that covers the frame behind it.
    if (pad > 0) {
      Atomics.store(i32, L.PUB_GAP_AT, tail | 0)
      Atomics.store(i32, L.PUB_GAPS, (gaps + 1) | 0)
    }
    Atomics.store(i32, L.PUB_TAIL, newTail | 0)
    Atomics.store(i32, L.PUB_PUTS, (puts + 1) | 0)
    this.#pages.afterWrite(newTail, this.#headNow)
    return PUT_OK
  }

  /** Whether maxsize allows one more item (the take count is cached until it no longer suffices). */
  #countRoom(puts: number): boolean {
    const i32 = this.#i32
    const known = (puts - i32[L.PUT_KNOWN_TAKES]!) | 0
    if (known >= 0 && known < this.#maxsize) return true
    const takes = Atomics.load(i32, L.PUB_TAKES)
    const n = (puts - takes) | 0
    if (n < 0 || n > this.#maxsize) this.#m.corrupt(`${n} items in a queue of maxsize ${this.#maxsize}`)
    i32[L.PUT_KNOWN_TAKES] = takes
    return n < this.#maxsize
  }

  /** Whether a frame of `size` more bytes keeps the unread ones within the capacity (the count taken is cached until it no longer suffices). */
  #room(bytes: number, size: number): boolean {
    const i32 = this.#i32
    if (((bytes - i32[L.PUT_KNOWN_TAKEN]!) >>> 0) + size <= this.#C) return true
    const taken = Atomics.load(i32, L.PUB_TAKEN)
    const unread = (bytes - taken) >>> 0
    if (unread > this.#C) this.#m.corrupt(`${unread} bytes unread in a queue of capacity ${this.#C}`)
    i32[L.PUT_KNOWN_TAKEN] = taken
    return unread + size <= this.#C
  }

  /** Whether the queue is empty right now, the take side's head at `tail`. */
  #emptyAt(puts: number, tail: number, gaps: number): boolean {
    const i32 = this.#i32
    // The take side publishes PUB_PASSED, PUB_HEAD, then PUB_TAKES: read in the other order.
    if (Atomics.load(i32, L.PUB_TAKES) !== puts) return false
    return Atomics.load(i32, L.PUB_HEAD) >>> 0 === tail && Atomics.load(i32, L.PUB_PASSED) === gaps
  }

  readonly #headNow = (): number => Atomics.load(this.#i32, L.PUB_HEAD) >>> 0

  /**
   * The last holder of the put lock died: the committed state is whole (the
   * flip is atomic), but its publication may be missing. Publish it again,
   * drop the cached counts, and wake every reader (its wake may be lost).
   */
  #repair(): void {
    const i32 = this.#i32
    const b = L.PUT_STATE + this.#m.selector(L.PUT_SELECTOR) * L.PUT_WORDS
    Atomics.store(i32, L.PUB_GAP_AT, i32[b + L.P_GAP_AT]!)
    Atomics.store(i32, L.PUB_GAPS, i32[b + L.P_GAPS]!)
    Atomics.store(i32, L.PUB_TAIL, i32[b + L.P_TAIL]!)
    Atomics.store(i32, L.PUB_PUTS, i32[b + L.P_PUTS]!)
    i32[L.PUT_KNOWN_TAKEN] = Atomics.load(i32, L.PUB_TAKEN)
    i32[L.PUT_KNOWN_TAKES] = Atomics.load(i32, L.PUB_TAKES)
    this.#repaired()
  }
}
