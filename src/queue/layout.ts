/**
 * Where everything sits in a queue's segment. One segment per queue (or per
 * direction of a pipe); a header of 32-bit words, then the ring of frames.
 *
 * Two kinds of ring share the header:
 * - FIFO (Queue, JoinableQueue, SimpleQueue, Pipe): a put side and a take
 *   side, each with its own lock and committed state, on cache lines of
 *   their own (fifo-ring.ts);
 * - LOCKED (LifoQueue, PriorityQueue): one lock, one committed state, and
 *   for priorities a heap (locked-ring.ts).
 *
 * Cache lines are counted as 128 bytes: x86 prefetches lines in pairs, so
 * words 64 bytes apart still ping-pong between cores.
 *
 * The ring is reserved, not allocated: a memfd is sparse, so a 2 GiB ring
 * costs only the pages that items occupy (pages.ts gives them back).
 */

// ----- the common header (int32 indexes; the segment's token takes words 0-3)

export const ORDER = 4 // FIFO, LIFO or PRIORITY
export const MAXSIZE = 5 // 0: unbounded
export const CAPACITY = 6 // bytes of unread frames at most (FIFO) / ring bytes (LOCKED)
export const RING_BYTES = 7 // bytes in the ring
export const RING_AT = 8 // byte offset of the ring in the segment
export const HEAP_CAP = 9 // heap entries (PriorityQueue)
export const CLOSED = 10 // 1 once close() was called
export const WRITER = 11 // pipes: the owner id of the writing end
export const WRITER_CLOSED = 12
export const READER = 13 // pipes: the owner id of the reading end
export const READER_CLOSED = 14

/** Orders. */
export const FIFO = 0
export const LIFO = 1
export const PRIORITY = 2

// ----- FIFO: the put side (int32 indexes)

/** Published by producers, read by everyone: one line. */
export const PUB_PUTS = 32 // items committed so far (wraps; counts are differences)
export const PUB_TAIL = 33 // position after the last committed frame (uint32, wraps)
export const PUB_GAPS = 34 // gaps made so far (a gap: the rest of a lap skipped)
export const PUB_GAP_AT = 35 // position where the latest gap starts

/** Producers only: the put lock, the state copies, hints. */
export const PUT_LOCK_AT = 256 // byte offset of a Lock (5 words)
export const RESIDENT_TO = 69 // ring bytes [0, RESIDENT_TO) of the resident ones are faulted in
export const PUT_SELECTOR = 70 // which copy is current (0 or 1): flipping it commits a put
export const PUT_KNOWN_TAKEN = 71 // hint: frame bytes taken, as seen last (the capacity rule)
export const PUT_KNOWN_TAKES = 72 // hint: takes seen last (maxsize)
export const SWEPT = 73 // pages: the tail's position when pages were last given back
export const POP_FROM = 74 // pages: ring offsets [POP_FROM, POP_TO) past the resident ones are faulted in (POP_TO 0: none)
export const POP_TO = 75
export const PUT_STATE = 76 // two copies of PUT_WORDS
export const PUT_WORDS = 5
export const P_TAIL = 0
export const P_PUTS = 1
export const P_GAP_AT = 2
export const P_GAPS = 3
export const P_BYTES = 4 // frame bytes put so far (gaps not counted; wraps)

// ----- FIFO: the take side

/** Published by consumers, read by producers: one line. */
export const PUB_TAKES = 96
export const PUB_HEAD = 97
export const PUB_PASSED = 98 // gaps the head has passed
export const PUB_TAKEN = 99 // frame bytes taken so far: unread frame bytes = P_BYTES - PUB_TAKEN

/** Consumers only. */
export const TAKE_LOCK_AT = 512
export const TAKE_SELECTOR = 134
export const TAKE_KNOWN_PUTS = 135 // hint: puts seen last
export const TAKE_KNOWN_TAIL = 136 // hint: the tail seen with them
export const TAKE_STATE = 137 // two copies of TAKE_WORDS
export const TAKE_WORDS = 4
export const T_HEAD = 0
export const T_TAKES = 1
export const T_PASSED = 2
export const T_TAKEN = 3

/** taskDone calls so far (FIFO: unfinished = puts - DONE; one atomic counter, no lock), on a line of its own. */
export const DONE = 160

// ----- wait sets (wait-set.ts): readers, blocked writers, joiners

export const NOT_EMPTY_AT = 1024
export const NOT_FULL_AT = 1664
export const JOINED_AT = 2304
export const WAIT_SET_BYTES = 640
/** In a wait set (int32 indexes from its start): MASK, then OWNER[0..WAIT_SLOTS) (the slots' holders, 0 = free); one more slot overflows (MASK bit 31). */
export const WAIT_MASK = 0
export const WAIT_OWNER = 2
export const WAIT_SLOTS = 31

/**
 * The sleepers of a wait set whose int32 word `i` (from its start) `word(i)`
 * reads: its held slots, and at least one more when the overflow slot is in
 * use (for skein top and timed-out errors; readers in other processes too).
 */
export function countSleepers(word: (i: number) => number): number {
  let n = 0
  for (let i = 0; i < WAIT_SLOTS; i++) if (word(WAIT_OWNER + i) !== 0) n++
  return (word(WAIT_MASK) & (1 << 31)) !== 0 ? n + 1 : n
}

// ----- LOCKED rings (LifoQueue, PriorityQueue)

export const LOCK_AT = 3072 // the one Lock
export const SELECTOR = 776 // which state copy is current
/** Float64 index of the first state copy; each copy is STATE_WORDS long. */
export const STATE_AT = 3136 / 8
export const STATE_WORDS = 8
export const HEAD = 0 // ring offset of the oldest frame
export const TAIL = 1 // ring offset where the next frame goes
export const USED = 2 // bytes in use between head and tail, wrap gaps included
export const COUNT = 3 // items in the queue
export const NEXT_SEQ = 4 // sequence number of the next put (FIFO order among equal priorities)
export const UNFINISHED = 5 // items put and not yet marked done (taskDone)
export const TOP = 6 // LIFO: ring offset of the newest frame, -1 when none
/** Byte offset of the priority heap (int32 frame offsets). */
export const HEAP_AT = 4096

/** Bytes of header before the ring (LOCKED rings add their heap). */
export const HEADER_BYTES = 4096

// ----- frames

/** FIFO frame header: [length][tag]. */
export const FIFO_HEADER = 8
/** LOCKED frame header: [length][status | tag << 8][LIFO: prev, gap | PRIORITY: seq (f64)][priority (f64)]. */
export const LOCKED_HEADER = 24
export const LIVE = 1
export const TAKEN = 2
export const WRAP = 3 // the rest of the ring is skipped; the next frame is at offset 0

// ----- memory

export const PAGE = 4096
/** The default capacity: 1 GiB of unread items at most. */
export const DEFAULT_CAPACITY = 1 << 30
/** Ring offsets below this stay resident: a queue that keeps up cycles in them. */
export const RESIDENT = 4 << 20
/** Pages past the resident ones go back to the kernel this many bytes at a time at least. */
export const GIVE_BACK_STEP = 2 << 20
/** Ring bytes faulted in when a ring is created, so the first items take no page faults (the resident prefix then doubles as it is used). */
export const PREFAULT = 16 << 10
/** A producer faults pages in at least this far ahead of the frame it writes. */
export const POPULATE_STEP = 256 << 10
/** A producer that finds the queue empty with its tail past this offset starts again at offset 0 (a gap): a queue that keeps up stays in its first pages. */
export const RESTART_AFTER = 64 << 10
/** LOCKED rings give pages behind the head back in chunks of this size. */
export const CHUNK = 1 << 20

/** Bytes a frame with `length` payload bytes takes (8-aligned). */
export function frameSize(header: number, length: number): number {
  return (header + length + 7) & ~7
}

/** The FIFO ring size for a capacity: a power of two of at least twice it, so any item fits an empty ring. */
export function fifoRingBytes(capacity: number): number {
  let r = 64 << 10
  while (r < 2 * capacity) r *= 2
  return r
}
