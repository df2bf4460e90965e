/**
 * The PriorityQueue's binary heap: int32 frame offsets in the segment,
 * ordered by (priority, sequence) read from the frames themselves, so equal
 * priorities come out first-in first-out. Called under the queue's lock.
 * Every entry is checked (a frame offset inside the ring, 8-aligned) before
 * the frame it names is read.
 */
export class FrameHeap {
  readonly #i32: Int32Array
  readonly #f64: Float64Array
  readonly #at: number // int32 index of entry 0
  readonly #ringAt: number
  readonly #ringBytes: number
  readonly #corrupt: (what: string) => never

  constructor(i32: Int32Array, f64: Float64Array, heapAt: number, ringAt: number, ringBytes: number, corrupt: (what: string) => never) {
    this.#i32 = i32
    this.#f64 = f64
    this.#at = heapAt >> 2
    this.#ringAt = ringAt
    this.#ringBytes = ringBytes
    this.#corrupt = corrupt
  }

  /** `frame` if it can be a frame's offset in the ring, else corruption. */
  check(frame: number): number {
    if (frame < 0 || frame + 24 > this.#ringBytes || (frame & 7) !== 0) this.#corrupt(`the priority heap names ring offset ${frame}`)
    return frame
  }

  /** Entry `i` (a frame's ring offset). */
  entry(i: number): number {
    return this.#i32[this.#at + i]!
  }

  /** Adds `frame` to a heap of `n` entries. */
  push(frame: number, n: number): void {
    const heap = this.#i32
    const h0 = this.#at
    let i = n
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#less(frame, heap[h0 + parent]!)) break
      heap[h0 + i] = heap[h0 + parent]!
      i = parent
    }
    heap[h0 + i] = frame
  }

  /** Removes and returns the least of `n` entries (n > 0). */
  pop(n: number): number {
    const heap = this.#i32
    const h0 = this.#at
    const top = heap[h0]!
    const last = heap[h0 + n - 1]!
    const size = n - 1
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= size) break
      if (child + 1 < size && this.#less(heap[h0 + child + 1]!, heap[h0 + child]!)) child++
      if (!this.#less(heap[h0 + child]!, last)) break
      heap[h0 + i] = heap[h0 + child]!
      i = child
    }
    if (size > 0) heap[h0 + i] = last
    return top
  }

  #less(a: number, b: number): boolean {
    this.check(a)
    this.check(b)
    const f64 = this.#f64
    const pa = f64[(this.#ringAt + a + 16) / 8]!
    const pb = f64[(this.#ringAt + b + 16) / 8]!
    if (pa !== pb) return pa < pb
    return f64[(this.#ringAt + a + 8) / 8]! < f64[(this.#ringAt + b + 8) / 8]!
  }
}
