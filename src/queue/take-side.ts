/**
 * The take side of a FIFO ring: what consumers own, under their own lock.
 *
 * How it works. The committed take state is two copies of {head, takes,
 * passed} (passed: gaps the head has stepped over). A take reads the
 * put side's published count (cached in TAKE_KNOWN_PUTS while it says
 * there is more), steps over the gap it reaches if any, checks the frame
 * (length, tag, that it lies inside the ring and before the published
 * tail), copies the payload out, writes the spare copy and flips
 * TAKE_SELECTOR (the commit), then publishes PUB_TAKEN (frame bytes taken:
 * the producers' room), PUB_PASSED, PUB_HEAD and last PUB_TAKES. The producers may reuse the frame's bytes only once they see
 * the new head, so the copy out is always finished by then. A consumer
 * killed before its commit leaves the item in the queue; killed after it,
 * the item leaves with it (as an item a get returned to a process that died
 * before using it). Whoever takes its lock over republishes (`repair`).
 */
import { Lock } from '../sync/lock.js'
import { attachAt } from '../shm/arena.js'
import type { RingMemory } from './ring-memory.js'
import { readPayload, lengthFits, T_LAST, type Taken } from './codec.js'
import * as L from './layout.js'

const TRY = { blocking: false } as const
/** How long a consumer spins for a busy take lock before it sleeps on it (ms). */
const LOCK_SPIN_MS = 0.02

/** The consumers' half of a FIFO ring. */
export class TakeSide {
  readonly lock: Lock
  readonly #m: RingMemory
  readonly #i32: Int32Array
  readonly #R: number
  readonly #mask: number
  readonly #repaired: () => void

  /** `repaired` runs after a dead consumer's lock was taken over and the state republished (wake every blocked writer). */
  constructor(m: RingMemory, repaired: () => void) {
    this.#m = m
    this.#i32 = m.i32
    this.#R = m.ringBytes
    this.#mask = m.ringBytes - 1
    this.#repaired = repaired
    this.lock = attachAt({ segment: m.segment, offset: L.TAKE_LOCK_AT }, () => new Lock())
  }

  /** Takes the oldest item into `into` and commits; false when there is none. */
  take(into: Taken): boolean {
    const lock = this.lock
    if (!lock.acquireSync(TRY)) this.#lockSlow()
    try {
      if (lock.recovered) this.#repair()
      return this.#take(into)
    } finally {
      lock.release()
    }
  }

  #take(into: Taken): boolean {
    const i32 = this.#i32
    const m = this.#m
    const b = L.TAKE_STATE + m.selector(L.TAKE_SELECTOR) * L.TAKE_WORDS
    let head = i32[b + L.T_HEAD]! >>> 0
    const takes = i32[b + L.T_TAKES]!
    let passed = i32[b + L.T_PASSED]!
    const taken = i32[b + L.T_TAKEN]!
    let tail = i32[L.TAKE_KNOWN_TAIL]! >>> 0
    if (((i32[L.TAKE_KNOWN_PUTS]! - takes) | 0) <= 0) {
      // The put side publishes PUB_TAIL before PUB_PUTS: read in the other order.
      const puts = Atomics.load(i32, L.PUB_PUTS)
      tail = Atomics.load(i32, L.PUB_TAIL) >>> 0
      const n = (puts - takes) | 0
      if (n < 0) m.corrupt(`${takes} items taken of ${puts} put`)
      i32[L.TAKE_KNOWN_PUTS] = puts
      i32[L.TAKE_KNOWN_TAIL] = tail | 0
      if (n === 0) return false
    }
    let span = (tail - head) >>> 0
    if (span === 0 || span > this.#R + m.capacity) m.corrupt(`an item counted but ${span} bytes between head and tail`)
    const gaps = Atomics.load(i32, L.PUB_GAPS)
    if (gaps !== passed) {
      if (((gaps - passed) | 0) !== 1) m.corrupt(`the writer made ${(gaps - passed) | 0} gaps the reader has not passed (at most 1)`)
      const gapAt = Atomics.load(i32, L.PUB_GAP_AT) >>> 0
      if (gapAt === head) {
        const skip = this.#R - (head & this.#mask)
        if (skip >= span) m.corrupt('a gap reaches past the tail')
        head = (head + skip) >>> 0
        span -= skip
        passed = gaps
      } // else the gap lies further on (perhaps past the tail known here: made after it was read)
    }
    const at = head & this.#mask
    const frame = m.ringAt + at
    const length = i32[frame >>> 2]!
    const tag = i32[(frame >>> 2) + 1]!
    if (tag < 0 || tag > T_LAST) m.corrupt(`a frame at ring offset ${at} has tag ${tag}`)
    if (length < 0 || length > m.capacity || !lengthFits(tag, length)) m.corrupt(`a frame at ring offset ${at} claims ${length} bytes`)
    const size = L.frameSize(L.FIFO_HEADER, length)
    if (at + size > this.#R || size > span) m.corrupt(`a frame at ring offset ${at} of ${size} bytes runs past ${at + size > this.#R ? 'the end of the ring' : 'the tail'}`)
    readPayload(into, tag, length, m.buf, m.f64, frame + L.FIFO_HEADER)
    // Commit: the spare copy, then one store flips to it.
    const newHead = (head + size) >>> 0
    const s = b === L.TAKE_STATE ? L.TAKE_STATE + L.TAKE_WORDS : L.TAKE_STATE
    i32[s + L.T_HEAD] = newHead | 0
    i32[s + L.T_TAKES] = (takes + 1) | 0
    i32[s + L.T_PASSED] = passed
    i32[s + L.T_TAKEN] = (taken + size) | 0
    Atomics.store(i32, L.TAKE_SELECTOR, s === L.TAKE_STATE ? 0 : 1)
    // Publish; a producer that sees PUB_TAKES sees the rest (its restart check reads them in the other order).
    Atomics.store(i32, L.PUB_TAKEN, (taken + size) | 0)
    if (passed !== i32[b + L.T_PASSED]) Atomics.store(i32, L.PUB_PASSED, passed)
    Atomics.store(i32, L.PUB_HEAD, newHead | 0)
    Atomics.store(i32, L.PUB_TAKES, (takes + 1) | 0)
    return true
  }

  #lockSlow(): void {
    const lock = this.lock
    const until = performance.now() + LOCK_SPIN_MS
    do {
      for (let i = 0; i < 32; i++) if (!lock.locked() && lock.acquireSync(TRY)) return
    } while (performance.now() < until)
    lock.acquireSync()
  }

  /** The last holder of the take lock died: publish the committed state again, and wake every blocked writer. */
  #repair(): void {
    const i32 = this.#i32
    const b = L.TAKE_STATE + this.#m.selector(L.TAKE_SELECTOR) * L.TAKE_WORDS
    Atomics.store(i32, L.PUB_TAKEN, i32[b + L.T_TAKEN]!)
    Atomics.store(i32, L.PUB_PASSED, i32[b + L.T_PASSED]!)
    Atomics.store(i32, L.PUB_HEAD, i32[b + L.T_HEAD]!)
    Atomics.store(i32, L.PUB_TAKES, i32[b + L.T_TAKES]!)
    this.#repaired()
  }
}
