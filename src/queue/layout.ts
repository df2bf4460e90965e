/**
 * Where everything sits in a queue's segment. One segment per queue (or per
 * direction of a pipe): a header of 32-bit words, two copies of the state
 * (float64s, so byte positions and counters never overflow), the priority
 * heap (PriorityQueue only), then the ring of frames.
 *
 * The ring is reserved, not allocated: a memfd is sparse, so a 1 GiB ring
 * costs only the pages that unread items occupy; pages behind the readers are
 * given back to the kernel as the head moves on (see ring.ts).
 */

/** Byte offsets of the structs in the header. */
export const LOCK_AT = 64 // a Lock (owned-lock.ts): 5 words
export const NOT_EMPTY_AT = 96 // a WaitWord: SEQ, FLAGS, WAITERS
export const NOT_FULL_AT = 112
export const JOINED_AT = 128

/** Int32 indexes of the header words. */
export const ORDER = 40 // FIFO, LIFO or PRIORITY
export const MAXSIZE = 41 // 0: unbounded
export const CLOSED = 42 // 1 once close() was called
export const SELECTOR = 43 // which state copy is current (0 or 1): flipping it commits an operation
export const CAPACITY = 44 // ring bytes
export const HEAP_CAP = 45 // heap entries (PriorityQueue)
export const WRITER = 46 // pipes: the owner id of the writing end
export const WRITER_CLOSED = 47
export const READER = 48 // pipes: the owner id of the reading end
export const READER_CLOSED = 49

/** Float64 index of the first state copy; each copy is STATE_WORDS long. */
export const STATE_AT = 256 / 8
export const STATE_WORDS = 8
export const HEAD = 0 // ring offset of the oldest frame
export const TAIL = 1 // ring offset where the next frame goes
export const USED = 2 // bytes in use between head and tail, wrap gaps included
export const COUNT = 3 // items in the queue
export const NEXT_SEQ = 4 // sequence number of the next put (FIFO order among equal priorities)
export const UNFINISHED = 5 // items put and not yet marked done (taskDone)
export const TOP = 6 // LIFO: ring offset of the newest frame, -1 when none

/** Byte offset of the priority heap (int32 frame offsets). */
export const HEAP_AT = 512

/** Frame header: [length][status | tag << 8][LIFO: prev, gap | PRIORITY: seq (f64)][priority (f64)]. */
export const FRAME_HEADER = 24
export const LIVE = 1
export const TAKEN = 2
export const WRAP = 3 // the rest of the ring is skipped; the next frame is at offset 0

/** Orders. */
export const FIFO = 0
export const LIFO = 1
export const PRIORITY = 2

/** Pages behind the readers are given back in chunks of this size. */
export const CHUNK = 1 << 20
/** The default ring reserve: 1 GiB of address space, pages used only as items need them. */
export const DEFAULT_CAPACITY = 1 << 30
export const PAGE = 4096

/** Bytes a frame with `length` payload bytes takes (8-aligned). */
export function frameSize(length: number): number {
  return (FRAME_HEADER + length + 7) & ~7
}
