/**
 * The ring under LifoQueue and PriorityQueue: one lock for both ends.
 *
 * How it works. Items are frames (a 24-byte header and the payload) laid
 * end to end. Every operation runs under the queue's Lock (a copy in or
 * out) and ends by *committing*: the new state (head, tail, counts) is
 * written to the spare of two state copies and one atomic store flips which
 * copy is current. A process killed at any instant leaves the old state or
 * the new one; the next operation takes the dead holder's lock over and
 * carries on.
 *
 * Orders: LIFO takes the newest frame (each frame records the one before
 * it); PRIORITY keeps a binary heap of frame offsets ordered by (priority,
 * sequence), marks taken frames TAKEN and moves the head over them. The
 * heap is the one structure outside the flip, so after a recovered lock it
 * is rebuilt from the frames, which are the truth. Frames are contiguous:
 * one that does not fit before the end of the ring starts again at 0 (a
 * WRAP marker). When the queue empties, head and tail go back to 0; chunks
 * the head has left behind go back to the kernel. Every length, offset and
 * status read from the segment is checked before use (QueueCorruptError).
 */
import { Lock } from '../sync/lock.js'
import { attachAt } from '../shm/arena.js'
import { acquireSide } from './side-lock.js'
import { kDescribe } from '../shm/handle.js'
import { native } from '../native.js'
import { WaitSet } from './wait-set.js'
import { FrameHeap } from './heap.js'
import type { RingMemory } from './ring-memory.js'
import { readPayload, writePayload, lengthFits, T_LAST, type Encoded, type Taken } from './codec.js'
import { PUT_OK, PUT_FULL, PUT_NO_ROOM, PUT_CLOSED, type PutOutcome } from './put-side.js'
import * as L from './layout.js'

const H = L.LOCKED_HEADER

/** The shared struct of a LifoQueue or PriorityQueue. */
export class LockedRing {
  readonly memory: RingMemory
  readonly lock: Lock
  readonly notEmpty: WaitSet
  readonly notFull: WaitSet
  readonly joined: WaitSet
  readonly #i32: Int32Array
  readonly #f64: Float64Array
  readonly #R: number
  readonly #ringAt: number
  readonly #heap: FrameHeap
  readonly #s = new Float64Array(L.STATE_WORDS)

  constructor(m: RingMemory, fresh: boolean) {
    this.memory = m
    this.#i32 = m.i32
    this.#f64 = m.f64
    this.#R = m.ringBytes
    this.#ringAt = m.ringAt
    this.lock = attachAt({ segment: m.segment, offset: L.LOCK_AT }, () => new Lock({ name: 'queue lock' }))
    this.notEmpty = new WaitSet(m.segment, L.NOT_EMPTY_AT)
    this.notFull = new WaitSet(m.segment, L.NOT_FULL_AT)
    this.joined = new WaitSet(m.segment, L.JOINED_AT)
    this.#heap = new FrameHeap(m.i32, m.f64, L.HEAP_AT, m.ringAt, m.ringBytes, (what) => m.corrupt(what))
    if (fresh) m.f64[L.STATE_AT + L.TOP] = -1
  }

  /** Whether a frame of `length` payload bytes could ever fit. */
  fits(length: number): boolean {
    return L.frameSize(H, length) <= this.#R
  }

  /** Items now (a snapshot). */
  count(): number {
    return this.#field(L.COUNT)
  }

  /** Items put and not yet marked done. */
  unfinished(): number {
    return this.#field(L.UNFINISHED)
  }

  /** Copies an encoded item in and commits it. */
  put(e: Encoded, priority: number): PutOutcome {
    return this.#locked(() => (this.memory.closed ? PUT_CLOSED : this.#put(e, priority)))
  }

  /** Takes the next item into `into` and commits; false when empty. */
  take(into: Taken): boolean {
    return this.#locked(() => this.#take(into))
  }

  /** Marks one item done; false when more were marked than put. The call that makes the count reach 0 wakes `join()`. */
  taskDone(): boolean {
    let left = -1
    const done = this.#locked(() => {
      const s = this.#read()
      if (s[L.UNFINISHED]! <= 0) return false
      left = s[L.UNFINISHED]! -= 1
      this.#commit(s)
      return true
    })
    if (left === 0) this.joined.wakeAll()
    return done
  }

  /** Closes the queue for further puts (no put commits after it) and wakes everyone. */
  close(): void {
    this.#locked(() => Atomics.store(this.#i32, L.CLOSED, 1))
    this.notEmpty.wakeAll()
    this.notFull.wakeAll()
  }

  /** The ring is being described for another thread or process: its lock and waits start hearing from elsewhere. */
  markShared(): void {
    this.lock[kDescribe]()
    this.notEmpty.markShared()
    this.notFull.markShared()
    this.joined.markShared()
  }

  #locked<T>(fn: () => T): T {
    acquireSide(this.lock)
    try {
      if (this.lock.recovered) this.#repair()
      return fn()
    } finally {
      this.lock.release()
    }
  }

  #put(e: Encoded, priority: number): PutOutcome {
    const s = this.#read()
    const m = this.memory
    if (m.maxsize > 0 && s[L.COUNT]! >= m.maxsize) return PUT_FULL
    const size = L.frameSize(H, e.length)
    const R = this.#R
    let head = s[L.HEAD]!
    let tail = s[L.TAIL]!
    const used = s[L.USED]!
    if (used === 0) head = tail = 0
    let at: number
    let gap = 0
    if (tail > head || used === 0) {
      if (tail + size <= R) at = tail
      else if (size <= head) {
        at = 0
        gap = R - tail
      } else return PUT_NO_ROOM
    } else if (tail + size <= head) at = tail
    else return PUT_NO_ROOM
    if (m.order === L.PRIORITY && s[L.COUNT]! >= m.heapCap) return PUT_NO_ROOM
    const i32 = this.#i32
    if (gap >= 8) i32[((this.#ringAt + tail) >>> 2) + 1] = L.WRAP
    const h = (this.#ringAt + at) >>> 2
    i32[h] = e.length
    i32[h + 1] = 0 // not live until the header is complete
    writePayload(e, m.buf, this.#f64, this.#ringAt + at + H)
    if (m.order === L.LIFO) {
      i32[h + 2] = s[L.TOP]!
      i32[h + 3] = gap
      s[L.TOP] = at
    } else {
      this.#f64[(this.#ringAt + at + 8) / 8] = s[L.NEXT_SEQ]!
      this.#f64[(this.#ringAt + at + 16) / 8] = priority
      this.#heap.push(at, s[L.COUNT]!)
    }
    i32[h + 1] = L.LIVE | (e.tag << 8)
    tail = at + size
    if (tail === R) tail = 0
    s[L.HEAD] = head
    s[L.TAIL] = tail
    s[L.USED] = used + gap + size
    s[L.COUNT]! += 1
    s[L.NEXT_SEQ]! += 1
    s[L.UNFINISHED]! += 1
    this.#commit(s)
    return PUT_OK
  }

  #take(into: Taken): boolean {
    const s = this.#read()
    if (s[L.COUNT] === 0) return false
    const R = this.#R
    const m = this.memory
    const head0 = s[L.HEAD]!
    const tail0 = s[L.TAIL]!
    const at = m.order === L.LIFO ? this.#frameAt(s[L.TOP]!) : this.#heap.check(this.#heap.pop(s[L.COUNT]!))
    const size = this.#readFrame(at, into)
    if (m.order === L.PRIORITY) into.priority = this.#f64[(this.#ringAt + at + 16) / 8]!
    s[L.COUNT]! -= 1
    if (m.order === L.LIFO) {
      const h = (this.#ringAt + at) >>> 2
      const prev = this.#i32[h + 2]!
      const gap = this.#i32[h + 3]!
      if (gap < 0 || gap >= R || (prev !== -1 && s[L.COUNT]! === 0)) m.corrupt(`the newest frame records gap ${gap}, previous ${prev}`)
      s[L.TOP] = prev
      s[L.USED]! -= size + gap
      s[L.TAIL] = gap > 0 ? R - gap : at
    } else {
      Atomics.store(this.#i32, ((this.#ringAt + at) >>> 2) + 1, L.TAKEN)
      this.#skipTaken(s)
    }
    if (s[L.USED]! < 0) m.corrupt(`${s[L.USED]} bytes in use`)
    // The bytes this take freed, in ring order (they may wrap past the end).
    const freedFrom = m.order === L.LIFO ? s[L.TAIL]! : head0
    const freedTo = m.order === L.LIFO ? tail0 : s[L.USED] === 0 ? tail0 : s[L.HEAD]!
    if (s[L.USED] === 0) {
      s[L.HEAD] = s[L.TAIL] = 0
      s[L.TOP] = -1
    }
    this.#commit(s)
    this.#giveBack(freedFrom, freedTo, s)
    return true
  }

  // ----- state copies

  #field(field: number): number {
    return this.#f64[L.STATE_AT + this.memory.selector(L.SELECTOR) * L.STATE_WORDS + field]!
  }

  /** The current state, copied into a scratch array to edit, checked. */
  #read(): Float64Array {
    const from = L.STATE_AT + this.memory.selector(L.SELECTOR) * L.STATE_WORDS
    const s = this.#s
    for (let i = 0; i < L.STATE_WORDS; i++) s[i] = this.#f64[from + i]!
    const R = this.#R
    const ok = (x: number) => Number.isInteger(x) && x >= 0 && x < R && (x & 7) === 0
    const count = s[L.COUNT]!
    if (!ok(s[L.HEAD]!) || !ok(s[L.TAIL]!) || !(s[L.USED]! >= 0 && s[L.USED]! <= R) || !Number.isInteger(count) || count < 0 ||
      (count > 0) !== (s[L.USED]! > 0) || (s[L.TOP] !== -1 && !ok(s[L.TOP]!)) || !Number.isFinite(s[L.NEXT_SEQ]!) || !Number.isFinite(s[L.UNFINISHED]!)) {
      this.memory.corrupt(`its state reads head ${s[L.HEAD]}, tail ${s[L.TAIL]}, used ${s[L.USED]}, count ${count}`)
    }
    if (this.memory.order === L.PRIORITY && count > this.memory.heapCap) this.memory.corrupt(`${count} items for a heap of ${this.memory.heapCap}`)
    return s
  }

  /** Writes `s` to the spare copy, then flips to it: the one step that makes an operation happen. */
  #commit(s: Float64Array): void {
    const spare = 1 - this.memory.selector(L.SELECTOR)
    const to = L.STATE_AT + spare * L.STATE_WORDS
    for (let i = 0; i < L.STATE_WORDS; i++) this.#f64[to + i] = s[i]!
    Atomics.store(this.#i32, L.SELECTOR, spare)
  }

  // ----- frames

  #frameAt(at: number): number {
    if (!(at >= 0 && at + H <= this.#R && (at & 7) === 0)) this.memory.corrupt(`a frame is said to start at ring offset ${at}`)
    return at
  }

  #status(at: number): number {
    return this.#i32[((this.#ringAt + at) >>> 2) + 1]! & 0xff
  }

  /** The size of the frame at `at`, checked to lie inside the ring. */
  #sizeAt(at: number): number {
    const length = this.#i32[(this.#ringAt + at) >>> 2]!
    if (length < 0 || length > this.#R) this.memory.corrupt(`a frame at ring offset ${at} claims ${length} bytes`)
    const size = L.frameSize(H, length)
    if (at + size > this.#R) this.memory.corrupt(`a frame at ring offset ${at} of ${size} bytes runs past the end of the ring`)
    return size
  }

  /** Reads a live frame into `into`; returns its size. */
  #readFrame(at: number, into: Taken): number {
    const word = this.#i32[((this.#ringAt + at) >>> 2) + 1]!
    const tag = (word >> 8) & 0xff
    const length = this.#i32[(this.#ringAt + at) >>> 2]!
    if ((word & 0xff) !== L.LIVE || tag > T_LAST || !lengthFits(tag, length)) this.memory.corrupt(`the frame at ring offset ${at} is not a live item (status ${word & 0xff}, tag ${tag})`)
    const size = this.#sizeAt(at)
    readPayload(into, tag, length, this.memory.buf, this.#f64, this.#ringAt + at + H)
    return size
  }

  /** PRIORITY: moves the head over taken frames and wrap gaps (each step moves it on, so this ends). */
  #skipTaken(s: Float64Array): void {
    const R = this.#R
    while (s[L.USED]! > 0) {
      const at = s[L.HEAD]!
      if (R - at < H || this.#status(at) === L.WRAP) {
        s[L.USED]! -= R - at
        s[L.HEAD] = 0
        continue
      }
      if (this.#status(at) !== L.TAKEN) break
      const size = this.#sizeAt(at)
      s[L.USED]! -= size
      s[L.HEAD] = at + size === R ? 0 : at + size
    }
  }

  /**
   * After a holder died mid-operation: the state copy is whole (the flip is
   * atomic), but a priority heap may be half-sifted. Rebuild it from the live
   * frames between head and tail, then wake everyone (a wake may be lost).
   */
  #repair(): void {
    if (this.memory.order === L.PRIORITY) {
      const s = this.#read()
      const R = this.#R
      let at = s[L.HEAD]!
      let left = s[L.USED]!
      let n = 0
      while (left > 0) {
        if (R - at < H || this.#status(at) === L.WRAP) {
          left -= R - at
          at = 0
          continue
        }
        const size = this.#sizeAt(at)
        if (this.#status(at) === L.LIVE && n < this.memory.heapCap) this.#heap.push(at, n++)
        left -= size
        at = at + size === R ? 0 : at + size
      }
      s[L.COUNT] = n
      this.#skipTaken(s)
      this.#commit(s)
    }
    this.notEmpty.wakeAll()
    this.notFull.wakeAll()
    this.joined.wakeAll()
  }

  /**
   * Gives back to the kernel the pages of every chunk the freed bytes
   * [from, to) touch (in ring order: they may wrap) that holds no unread
   * byte now. Chunk 0 is kept: an emptied queue starts again there.
   */
  #giveBack(from: number, to: number, s: Float64Array): void {
    const R = this.#R
    if (R <= L.CHUNK || from === to) return
    if (to < from) {
      this.#giveBackRange(from, R, s)
      this.#giveBackRange(0, to, s)
    } else this.#giveBackRange(from, to, s)
  }

  #giveBackRange(from: number, to: number, s: Float64Array): void {
    if (to <= from) return
    let run = -1 // first chunk of a run of free chunks
    const last = Math.floor((to - 1) / L.CHUNK)
    for (let k = Math.max(1, Math.floor(from / L.CHUNK)); k <= last + 1; k++) {
      const free = k <= last && !holdsUnread(k * L.CHUNK, (k + 1) * L.CHUNK, s)
      if (free && run < 0) run = k
      else if (!free && run >= 0) {
        native.discard(this.memory.segment.sab, this.#ringAt + run * L.CHUNK, (k - run) * L.CHUNK)
        run = -1
      }
    }
  }
}

/** Whether ring bytes [a, b) overlap the unread region of state `s`. */
function holdsUnread(a: number, b: number, s: Float64Array): boolean {
  if (s[L.USED] === 0) return false
  const head = s[L.HEAD]!
  const tail = s[L.TAIL]!
  if (head < tail) return a < tail && head < b
  return b > head || a < tail // wrapped: [head, R) and [0, tail)
}
