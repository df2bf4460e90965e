/**
 * A ring's segment as both kinds of ring see it: the views, the header
 * (checked when attached: nothing in shared memory is trusted), and the one
 * way to report corruption.
 */
import { Segment } from '../shm/segment.js'
import { QueueCorruptError } from '../errors.js'
import * as L from './layout.js'
import { prefault } from './pages.js'

/** The views of a ring's segment and its checked header. */
export class RingMemory {
  readonly segment: Segment
  readonly i32: Int32Array
  readonly f64: Float64Array
  readonly buf: Buffer
  readonly order: number
  readonly maxsize: number
  /** FIFO: bytes of unread frames at most; LOCKED: the ring's bytes. */
  readonly capacity: number
  readonly ringBytes: number
  /** Byte offset of the ring in the segment. */
  readonly ringAt: number
  readonly heapCap: number
  /** Names the queue in errors: its class, and its name when it has one. */
  label: string

  private constructor(segment: Segment, label: string) {
    this.segment = segment
    this.i32 = segment.i32
    this.f64 = new Float64Array(segment.sab)
    this.buf = Buffer.from(segment.sab)
    this.label = label
    const i32 = this.i32
    this.order = i32[L.ORDER]!
    this.maxsize = i32[L.MAXSIZE]!
    this.capacity = i32[L.CAPACITY]!
    this.ringBytes = i32[L.RING_BYTES]! >>> 0
    this.ringAt = i32[L.RING_AT]!
    this.heapCap = i32[L.HEAP_CAP]!
    this.#check()
  }

  /** A new segment for a ring: FIFO rings are a power of two of at least twice the capacity, LOCKED ones the capacity in whole chunks. */
  static create(order: number, maxsize: number, capacity: number, label: string): RingMemory {
    let ringBytes: number
    let heapCap = 0
    if (order === L.FIFO) ringBytes = L.fifoRingBytes(capacity)
    else {
      ringBytes = Math.ceil(capacity / L.CHUNK) * L.CHUNK
      capacity = ringBytes
      if (order === L.PRIORITY) heapCap = ringBytes / 32 // a frame takes at least 32 bytes
    }
    const ringAt = ringOffset(heapCap)
    const segment = Segment.create(ringAt + ringBytes)
    const i32 = segment.i32
    i32[L.ORDER] = order
    i32[L.MAXSIZE] = maxsize
    i32[L.CAPACITY] = capacity
    i32[L.RING_BYTES] = ringBytes | 0
    i32[L.RING_AT] = ringAt
    i32[L.HEAP_CAP] = heapCap
    const memory = new RingMemory(segment, label)
    prefault(memory.segment.sab, ringAt, Math.min(ringBytes, L.PREFAULT))
    return memory
  }

  /** The ring in an attached segment; its header is checked first. */
  static attach(segment: Segment, label: string): RingMemory {
    return new RingMemory(segment, label)
  }

  /** Whether `close()` was called (by anyone). */
  get closed(): boolean {
    return Atomics.load(this.i32, L.CLOSED) === 1
  }

  /** Throws the QueueCorruptError that names this queue. */
  corrupt(what: string): never {
    throw new QueueCorruptError(this.label, what)
  }

  /** A selector word read from shared memory: 0 or 1, else corruption. */
  selector(index: number): number {
    const sel = Atomics.load(this.i32, index)
    if (sel !== 0 && sel !== 1) this.corrupt(`a state selector holds ${sel}, not 0 or 1`)
    return sel
  }

  #check(): void {
    const { order, maxsize, capacity, ringBytes, ringAt, heapCap } = this
    const bad = (what: string): never => this.corrupt(`its header says ${what}`)
    if (order !== L.FIFO && order !== L.LIFO && order !== L.PRIORITY) bad(`order ${order}`)
    if (maxsize < 0) bad(`maxsize ${maxsize}`)
    if (order === L.FIFO) {
      if (ringBytes < 1 << 16 || (ringBytes & (ringBytes - 1)) !== 0) bad(`a ring of ${ringBytes} bytes (not a power of two)`)
      if (capacity < 1 || capacity * 2 > ringBytes) bad(`capacity ${capacity} for a ring of ${ringBytes} bytes`)
      if (heapCap !== 0) bad(`a heap of ${heapCap} entries`)
    } else {
      if (ringBytes < L.CHUNK || ringBytes % L.CHUNK !== 0 || capacity !== ringBytes) bad(`a ring of ${ringBytes} bytes`)
      if (heapCap !== (order === L.PRIORITY ? ringBytes / 32 : 0)) bad(`a heap of ${heapCap} entries`)
    }
    if (ringAt !== ringOffset(heapCap)) bad(`the ring starts at ${ringAt}`)
    if (ringAt + ringBytes > this.segment.size) bad(`a ring of ${ringBytes} bytes, past the end of its ${this.segment.size}-byte segment`)
  }
}

/** Where the ring starts: after the header and, for priorities, the heap. */
function ringOffset(heapCap: number): number {
  return Math.ceil((L.HEAP_AT + heapCap * 4) / L.PAGE) * L.PAGE
}
