/**
 * A ring's pages: faulted in ahead of the writers, given back behind the
 * readers, the first few MiB kept.
 *
 * Why. A ring is a sparse reserve (2 GiB for the default capacity), so only
 * touched pages cost memory; but touching a fresh page of shared memory is a
 * page fault, and on a VM one costs tens of microseconds, more than copying
 * a thousand small items. So pages are faulted in many at a time
 * (`populate`, a few microseconds a page); the first RESIDENT bytes of the
 * ring (faulted in 16 KiB at creation, then twice as far each time the
 * writers pass the end of what is) are never given back (a queue that keeps up cycles in them: the
 * restart in put-side.ts); and pages past them go back to the kernel in
 * steps of GIVE_BACK_STEP, or all at once when the queue is found empty.
 *
 * Who. In a FIFO ring the producer does both, holding the put lock: the
 * pages ahead of its tail are its own, and so are those behind the
 * consumer's *published* head (a consumer publishes its head only after it
 * has copied the frames out). Free bytes are the circular range from the
 * tail to the published head; only those, past the resident ones and past
 * a window kept just ahead of the tail, are ever given back. The put side's
 * page words (POP_FROM, POP_TO, SWEPT, RESIDENT_TO) are hints outside the
 * commit: a wrong one costs a page fault or some memory, never an item.
 */
import { native } from '../native.js'
import * as L from './layout.js'

/** Faults in the pages of [from, from + length) of a segment (rounded out to whole pages). */
export function prefault(sab: SharedArrayBuffer, from: number, length: number): void {
  const start = floorPage(from)
  const end = Math.min(sab.byteLength, ceilPage(from + length))
  if (end > start) native.populate(sab, start, end - start)
}

/** The page bookkeeping of a FIFO ring's put side. Call under the put lock. */
export class FifoPages {
  readonly #sab: SharedArrayBuffer
  readonly #i32: Int32Array
  readonly #ringAt: number
  readonly #ringBytes: number
  readonly #resident: number

  constructor(sab: SharedArrayBuffer, ringAt: number, ringBytes: number) {
    this.#sab = sab
    this.#i32 = new Int32Array(sab)
    this.#ringAt = ringAt
    this.#ringBytes = ringBytes
    this.#resident = Math.min(L.RESIDENT, ringBytes)
  }

  /** A new ring: its first PREFAULT bytes were faulted in when it was created. */
  created(): void {
    this.#i32[L.RESIDENT_TO] = Math.min(this.#ringBytes, L.PREFAULT)
  }

  /** Before a frame is written at ring offsets [at, end): faults in its pages and `ahead` bytes more. */
  beforeWrite(at: number, end: number, ahead = L.POPULATE_STEP): void {
    const i32 = this.#i32
    const resident = this.#resident
    if (at < resident) {
      // The resident prefix grows by doubling: a queue used a little faults in little, one used much soon has all of it.
      const done = i32[L.RESIDENT_TO]!
      if (end > done || done > resident) i32[L.RESIDENT_TO] = this.#populate(Math.min(Math.max(done, 0), at), resident, Math.max(end, 2 * done), 0)
      if (end <= resident) return
    }
    const from = Math.max(at, resident)
    const popFrom = i32[L.POP_FROM]!
    const popTo = i32[L.POP_TO]!
    if (from >= popFrom && end <= popTo) return
    const contiguous = from >= popFrom && from <= popTo && popTo <= this.#ringBytes
    i32[L.POP_TO] = this.#populate(contiguous ? popTo : from, this.#ringBytes, end, ahead)
    if (!contiguous) i32[L.POP_FROM] = floorPage(from)
  }

  /**
   * After a put that ended at position `tail`: gives back the free pages
   * past the resident ones once the tail has moved GIVE_BACK_STEP since the
   * last time. `head` reads the consumer's published head (called only then).
   */
  afterWrite(tail: number, head: () => number): void {
    const i32 = this.#i32
    if ((tail & (this.#ringBytes - 1)) < this.#resident) return // writing in the resident pages
    if (((tail - i32[L.SWEPT]!) >>> 0) < L.GIVE_BACK_STEP) return
    i32[L.SWEPT] = tail | 0
    this.#giveBack(tail, head(), L.POPULATE_STEP * 2)
  }

  /** The queue is empty and the tail (at ring offset `at`) starts again at 0: past the resident pages, every page goes back. */
  restart(tail: number, at: number): void {
    const i32 = this.#i32
    if (at < this.#resident) return
    this.#discard(this.#resident, this.#ringBytes)
    i32[L.POP_FROM] = 0
    i32[L.POP_TO] = 0
    i32[L.SWEPT] = tail | 0
  }

  /** Gives back the free range from `keep` bytes past the tail up to the head (circular, in ring offsets). */
  #giveBack(tail: number, head: number, keep: number): void {
    const R = this.#ringBytes
    const free = R - ((tail - head) >>> 0) // bytes from the tail round to the head
    if (free <= keep) return
    const from = (tail + keep) & (R - 1)
    const to = from + (free - keep)
    this.#discard(from, Math.min(to, R))
    if (to > R) this.#discard(0, to - R)
    const i32 = this.#i32
    // What lay behind the tail may be gone now; what is ahead (within `keep`) stays.
    const at = tail & (R - 1)
    if (i32[L.POP_FROM]! <= at && at < i32[L.POP_TO]!) i32[L.POP_FROM] = floorPage(at)
    else i32[L.POP_FROM] = i32[L.POP_TO] = 0
  }

  /** Faults in ring offsets [start, needed) and up to POPULATE_STEP more (within `limit`); returns where it stopped. */
  #populate(start: number, limit: number, needed: number, ahead = L.POPULATE_STEP): number {
    const from = floorPage(start)
    const to = Math.min(limit, ceilPage(needed + ahead))
    if (to > from) native.populate(this.#sab, this.#ringAt + from, to - from)
    return to
  }

  /** Gives back the whole pages of ring offsets [from, to) that lie past the resident ones. */
  #discard(from: number, to: number): void {
    const start = ceilPage(Math.max(from, this.#resident))
    const end = floorPage(Math.min(to, this.#ringBytes))
    if (end > start) native.discard(this.#sab, this.#ringAt + start, end - start)
  }
}

function floorPage(n: number): number {
  return Math.floor(n / L.PAGE) * L.PAGE
}

function ceilPage(n: number): number {
  return Math.ceil(n / L.PAGE) * L.PAGE
}
