/**
 * The ring: the shared struct under every queue and pipe.
 *
 * How it works. Items are frames (a 24-byte header and the payload) laid end
 * to end in a ring of bytes in a segment of their own. Every operation runs
 * under the queue's Lock (a few microseconds at most: a copy in or out) and
 * ends by *committing*: the new state (head, tail, counts) is written to the
 * spare of two state copies and one atomic store flips which copy is current.
 * A process killed at any instant therefore leaves either the old state or the
 * new one, never half of each; the next operation takes the dead holder's lock
 * over (the Lock's dead-owner recovery) and carries on. A put that was killed
 * before its commit left bytes past the tail that nobody reads; a get killed
 * before its commit left the item in the queue.
 *
 * Orders: FIFO takes at the head; LIFO takes the newest frame (each frame
 * records the one before it); PRIORITY keeps a binary heap of frame offsets
 * ordered by (priority, sequence), marks taken frames TAKEN and moves the head
 * over them. The heap is the one structure not covered by the state flip, so
 * after a recovered lock it is rebuilt from the frames, which are the truth.
 *
 * Frames are contiguous: one that does not fit before the end of the ring
 * starts again at offset 0 and the rest is a gap (a WRAP marker). When the
 * queue empties, head and tail go back to 0, so a quiet queue stays in its
 * first pages; pages the head has left behind are given back to the kernel
 * (MADV_REMOVE) a chunk at a time.
 */
import { Segment } from '../shm/segment.js'
import { KIND, OP } from '../observe/layout.js'
import { attachAt } from '../shm/arena.js'
import { native } from '../native.js'
import { Lock } from '../sync/lock.js'
import { WaitWord } from '../sync/wait.js'
import * as L from './layout.js'
import type { Encoded, Taken } from './codec.js'
import { T_NUMBER, T_STRING, T_JSON } from './codec.js'

/** Outcomes of {@link Ring.tryPut}. */
export const PUT_OK = 0
export const PUT_FULL = 1 // maxsize reached
export const PUT_NO_ROOM = 2 // not enough bytes free in the ring now
/** How long a blocking reader spins before it sleeps (ms). */
const SPIN_MS = 0.03

export type PutOutcome = typeof PUT_OK | typeof PUT_FULL | typeof PUT_NO_ROOM


/** The shared struct of one queue or one pipe direction. */
export class Ring {
  readonly segment: Segment
  readonly i32: Int32Array
  readonly f64: Float64Array
  readonly buf: Buffer
  readonly lock: Lock
  readonly notEmpty: WaitWord
  readonly notFull: WaitWord
  readonly joined: WaitWord
  readonly order: number
  readonly maxsize: number
  readonly capacity: number
  readonly #ringAt: number
  readonly #heapAt: number // int32 index

  private constructor(segment: Segment) {
    this.segment = segment
    this.i32 = segment.i32
    this.f64 = new Float64Array(segment.sab)
    this.buf = Buffer.from(segment.sab)
    this.lock = attachAt({ segment, offset: L.LOCK_AT }, () => new Lock({ name: 'queue lock' }))
    this.notEmpty = waitWordAt(segment, L.NOT_EMPTY_AT)
    this.notFull = waitWordAt(segment, L.NOT_FULL_AT)
    this.joined = waitWordAt(segment, L.JOINED_AT)
    this.order = this.i32[L.ORDER]
    this.maxsize = this.i32[L.MAXSIZE]
    this.capacity = this.i32[L.CAPACITY]
    this.#heapAt = L.HEAP_AT >> 2
    this.#ringAt = ringOffset(this.i32[L.HEAP_CAP])
  }

  /** A new, empty ring. `capacity` is rounded up to whole chunks. */
  static create(order: number, maxsize: number, capacity: number): Ring {
    const bytes = Math.ceil(capacity / L.CHUNK) * L.CHUNK
    const heapCap = order === L.PRIORITY ? bytes / 32 : 0 // a frame takes at least 32 bytes
    const segment = Segment.create(ringOffset(heapCap) + bytes)
    const i32 = segment.i32
    i32[L.ORDER] = order
    i32[L.MAXSIZE] = maxsize
    i32[L.CAPACITY] = bytes
    i32[L.HEAP_CAP] = heapCap
    const f64 = new Float64Array(segment.sab)
    f64[L.STATE_AT + L.TOP] = -1
    return new Ring(segment)
  }

  /** The ring in an attached segment. */
  static attach(segment: Segment): Ring {
    return new Ring(segment)
  }

  /** The name {@link observe} gave (a pipe direction's, say). */
  observedName = ''

  /** Tells the registry (observe/) what a sleeper on this ring waits for: the queue or pipe `name`, of `kind`. */
  observe(kind: number, name: string): void {
    this.observedName = name
    this.notEmpty.observed = { kind, offset: 0, name, op: kind === KIND.Pipe ? OP.recv : OP.get }
    this.notFull.observed = { kind, offset: 0, name, op: OP.put }
    this.joined.observed = { kind, offset: 0, name, op: OP.join }
  }

  /** Marks every word shared (the ring is being described for another thread or process). */
  markShared(): void {
    this.notEmpty.markShared()
    this.notFull.markShared()
    this.joined.markShared()
  }

  get closed(): boolean {
    return Atomics.load(this.i32, L.CLOSED) === 1
  }

  /** A field of the current state (a racy snapshot when read without the lock, as Python's qsize). */
  state(field: number): number {
    return this.f64[L.STATE_AT + Atomics.load(this.i32, L.SELECTOR) * L.STATE_WORDS + field]
  }

  /** Runs `fn` under the queue's lock, repairing first if the last holder died mid-operation. */
  locked<T>(fn: () => T): T {
    this.lock.acquireSync()
    try {
      if (this.lock.recovered) this.#repair()
      return fn()
    } finally {
      this.lock.release()
    }
  }

  /** Copies an encoded item in and commits it. Call under {@link locked}. */
  tryPut(item: Encoded, priority: number): PutOutcome {
    const s = this.#read()
    if (this.maxsize > 0 && s[L.COUNT] >= this.maxsize) return PUT_FULL
    const size = (L.FRAME_HEADER + item.length + 7) & ~7
    const R = this.capacity
    let head = s[L.HEAD]
    let tail = s[L.TAIL]
    let used = s[L.USED]
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
    if (gap >= L.FRAME_HEADER) this.i32[((this.#ringAt + tail) >> 2) + 1] = L.WRAP
    this.#writeFrame(at, item)
    const h = (this.#ringAt + at) >> 2
    if (this.order === L.LIFO) {
      this.i32[h + 2] = s[L.TOP]
      this.i32[h + 3] = gap
      s[L.TOP] = at
    } else if (this.order === L.PRIORITY) {
      this.f64[(this.#ringAt + at + 8) >> 3] = s[L.NEXT_SEQ]
      this.f64[(this.#ringAt + at + 16) >> 3] = priority
      this.#heapPush(at, s[L.COUNT])
    }
    this.i32[h + 1] = L.LIVE | (item.tag << 8)
    tail = at + size
    if (tail === R) tail = 0
    s[L.HEAD] = head
    s[L.TAIL] = tail
    s[L.USED] = used + gap + size
    s[L.COUNT] += 1
    s[L.NEXT_SEQ] += 1
    s[L.UNFINISHED] += 1
    this.#commit(s)
    return PUT_OK
  }

  /**
   * A blocked reader spins a few microseconds before it sleeps: a producer in
   * full flow puts the next item sooner than a futex sleep and wake-up take
   * (system calls on both sides). True once an item is there (or the ring closed).
   */
  spinWhileEmpty(): boolean {
    const until = performance.now() + SPIN_MS
    do {
      if (this.state(L.COUNT) > 0 || this.closed) return true
    } while (performance.now() < until)
    return false
  }

  /** Whether an item of `length` payload bytes could ever fit. */
  fits(length: number): boolean {
    return L.frameSize(length) <= this.capacity
  }

  /** Takes the next item out (copying its bytes) and commits, or returns undefined when empty. Call under {@link locked}. */
  tryTake(): Taken | undefined {
    const s = this.#read()
    if (s[L.COUNT] === 0) return undefined
    const R = this.capacity
    let at: number
    const head0 = s[L.HEAD]
    const tail0 = s[L.TAIL]
    if (this.order === L.FIFO) {
      at = s[L.HEAD]
      if (R - at < L.FRAME_HEADER || this.#status(at) === L.WRAP) {
        s[L.USED] -= R - at
        at = 0
      }
    } else if (this.order === L.LIFO) {
      at = s[L.TOP]
    } else {
      at = this.#heapPop(s[L.COUNT])
    }
    const taken = this.#readFrame(at)
    const size = (L.FRAME_HEADER + taken.length + 7) & ~7
    if (this.order === L.PRIORITY) taken.priority = this.f64[(this.#ringAt + at + 16) >> 3]
    s[L.COUNT] -= 1
    if (this.order === L.FIFO) {
      s[L.USED] -= size
      s[L.HEAD] = at + size === R ? 0 : at + size
    } else if (this.order === L.LIFO) {
      const h = (this.#ringAt + at) >> 2
      const gap = this.i32[h + 3]
      s[L.TOP] = this.i32[h + 2]
      s[L.USED] -= size + gap
      s[L.TAIL] = gap > 0 ? R - gap : at
    } else {
      Atomics.store(this.i32, ((this.#ringAt + at) >> 2) + 1, L.TAKEN)
      this.#skipTaken(s)
    }
    // The bytes this take freed, in ring order (they may wrap past the end).
    const freedFrom = this.order === L.LIFO ? s[L.TAIL] : head0
    const freedTo = this.order === L.LIFO ? tail0 : s[L.USED] === 0 ? tail0 : s[L.HEAD]
    if (s[L.USED] === 0) {
      s[L.HEAD] = s[L.TAIL] = 0
      s[L.TOP] = -1
    }
    this.#commit(s)
    this.#giveBack(freedFrom, freedTo, s)
    return taken
  }

  /** Marks one item done (JoinableQueue); false when more were marked than put. Call under {@link locked}. */
  taskDone(): boolean {
    const s = this.#read()
    if (s[L.UNFINISHED] <= 0) return false
    s[L.UNFINISHED] -= 1
    this.#commit(s)
    return true
  }

  /** Closes the queue for further puts and wakes everyone. */
  close(): void {
    Atomics.store(this.i32, L.CLOSED, 1)
    this.notEmpty.notify()
    this.notFull.notify()
  }

  // ----- state copies

  /** The current state, copied into a scratch array to edit. */
  #read(): Float64Array {
    const from = L.STATE_AT + Atomics.load(this.i32, L.SELECTOR) * L.STATE_WORDS
    const s = scratch
    for (let i = 0; i < L.STATE_WORDS; i++) s[i] = this.f64[from + i]
    return s
  }

  /** Writes `s` to the spare copy, then flips to it: the one step that makes an operation happen. */
  #commit(s: Float64Array): void {
    const spare = 1 - Atomics.load(this.i32, L.SELECTOR)
    const to = L.STATE_AT + spare * L.STATE_WORDS
    for (let i = 0; i < L.STATE_WORDS; i++) this.f64[to + i] = s[i]
    Atomics.store(this.i32, L.SELECTOR, spare)
  }

  // ----- frames

  #status(at: number): number {
    return this.i32[((this.#ringAt + at) >> 2) + 1] & 0xff
  }

  #writeFrame(at: number, item: Encoded): void {
    const base = this.#ringAt + at
    this.i32[base >> 2] = item.length
    this.i32[(base >> 2) + 1] = 0 // not live until the header is complete
    const data = base + L.FRAME_HEADER
    if (item.tag === T_NUMBER) this.f64[data >> 3] = item.number!
    else if (item.text !== undefined) this.buf.write(item.text, data, item.length, 'utf8')
    else if (item.bytes !== undefined) this.buf.set(item.bytes, data)
  }

  #readFrame(at: number): Taken {
    const base = this.#ringAt + at
    const length = this.i32[base >> 2]
    const tag = (this.i32[(base >> 2) + 1] >> 8) & 0xff
    const data = base + L.FRAME_HEADER
    // One shape for every frame keeps the callers monomorphic.
    const taken: Taken = { tag, length, bytes: undefined, text: undefined, number: 0, priority: 0 }
    if (tag === T_NUMBER) taken.number = this.f64[data >> 3]
    else if (tag === T_STRING || tag === T_JSON) taken.text = this.buf.toString('utf8', data, data + length)
    else if (length > 0) {
      const bytes = Buffer.allocUnsafeSlow(length)
      this.buf.copy(bytes, 0, data, data + length)
      taken.bytes = bytes
    }
    return taken
  }

  // ----- the priority heap (int32 frame offsets, ordered by priority then sequence)

  #less(a: number, b: number): boolean {
    const pa = this.f64[(this.#ringAt + a + 16) >> 3]
    const pb = this.f64[(this.#ringAt + b + 16) >> 3]
    if (pa !== pb) return pa < pb
    return this.f64[(this.#ringAt + a + 8) >> 3] < this.f64[(this.#ringAt + b + 8) >> 3]
  }

  #heapPush(frame: number, n: number): void {
    const heap = this.i32
    const h0 = this.#heapAt
    let i = n
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#less(frame, heap[h0 + parent])) break
      heap[h0 + i] = heap[h0 + parent]
      i = parent
    }
    heap[h0 + i] = frame
  }

  #heapPop(n: number): number {
    const heap = this.i32
    const h0 = this.#heapAt
    const top = heap[h0]
    const last = heap[h0 + n - 1]
    let i = 0
    const size = n - 1
    for (;;) {
      let child = 2 * i + 1
      if (child >= size) break
      if (child + 1 < size && this.#less(heap[h0 + child + 1], heap[h0 + child])) child++
      if (!this.#less(heap[h0 + child], last)) break
      heap[h0 + i] = heap[h0 + child]
      i = child
    }
    if (size > 0) heap[h0 + i] = last
    return top
  }

  /** PRIORITY: moves the head over taken frames and wrap gaps. */
  #skipTaken(s: Float64Array): void {
    const R = this.capacity
    while (s[L.USED] > 0) {
      const at = s[L.HEAD]
      if (R - at < L.FRAME_HEADER || this.#status(at) === L.WRAP) {
        s[L.USED] -= R - at
        s[L.HEAD] = 0
        continue
      }
      if (this.#status(at) !== L.TAKEN) break
      const size = L.frameSize(this.i32[(this.#ringAt + at) >> 2])
      s[L.USED] -= size
      s[L.HEAD] = at + size === R ? 0 : at + size
    }
  }

  /**
   * After a holder died mid-operation: the state copy is whole (the flip is
   * atomic), but a priority heap may be half-sifted. Rebuild it from the live
   * frames between head and tail, then wake everyone (a wake may be lost).
   */
  #repair(): void {
    if (this.order === L.PRIORITY) {
      const s = this.#read()
      const R = this.capacity
      let at = s[L.HEAD]
      let left = s[L.USED]
      let n = 0
      while (left > 0) {
        if (R - at < L.FRAME_HEADER || this.#status(at) === L.WRAP) {
          left -= R - at
          at = 0
          continue
        }
        const size = L.frameSize(this.i32[(this.#ringAt + at) >> 2])
        if (this.#status(at) === L.LIVE) this.#heapPush(at, n++)
        left -= size
        at = at + size === R ? 0 : at + size
      }
      s[L.COUNT] = n
      this.#skipTaken(s)
      this.#commit(s)
    }
    this.notEmpty.notify()
    this.notFull.notify()
    this.joined.notify()
  }

  /**
   * Gives back to the kernel the pages of every chunk the freed bytes
   * [from, to) touch (in ring order: they may wrap) that holds no unread
   * byte now. Chunk 0 is kept: an emptied queue starts again there.
   */
  #giveBack(from: number, to: number, s: Float64Array): void {
    const R = this.capacity
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
      const free = k <= last && !this.#holdsUnread(k * L.CHUNK, (k + 1) * L.CHUNK, s)
      if (free && run < 0) run = k
      else if (!free && run >= 0) {
        native.discard(this.segment.sab, this.#ringAt + run * L.CHUNK, (k - run) * L.CHUNK)
        run = -1
      }
    }
  }

  /** Whether ring bytes [a, b) overlap the unread region of state `s`. */
  #holdsUnread(a: number, b: number, s: Float64Array): boolean {
    if (s[L.USED] === 0) return false
    const head = s[L.HEAD]
    const tail = s[L.TAIL]
    if (head < tail) return a < tail && head < b
    return b > head || a < tail // wrapped: [head, R) and [0, tail)
  }
}

const scratch = new Float64Array(L.STATE_WORDS)

function ringOffset(heapCap: number): number {
  return Math.ceil((L.HEAP_AT + heapCap * 4) / L.PAGE) * L.PAGE
}

function waitWordAt(segment: Segment, at: number): WaitWord {
  const w = at >> 2
  return new WaitWord(segment, w, w + 1, w + 2)
}
