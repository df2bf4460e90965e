/**
 * The per-thread arena: small shared structs (a Lock is 32 bytes) are carved
 * out of 1 MiB segments with a bump allocator, so creating a primitive costs
 * no system call and no segment of its own. Large requests get a segment of
 * their own.
 *
 * Structs are never returned to the arena: other threads or processes may
 * still hold them, and there is no cross-process reference count. Memory is
 * reclaimed when every process holding the segment has exited. The pages are
 * only touched when used (memfd is sparse), so an idle arena costs nothing.
 */
import { Segment, SEGMENT_HEADER } from './segment.js'

const ARENA_SIZE = 1 << 20
const BIG = 64 * 1024

let current: Segment | undefined
let offset = 0

/** A place in shared memory: a segment and a byte offset into it. */
export interface Slot {
  segment: Segment
  offset: number
}

/** Allocates `bytes` of zeroed shared memory aligned to `align` (default 8). */
export function allocate(bytes: number, align = 8): Slot {
  if (bytes >= BIG) return { segment: Segment.create(bytes + SEGMENT_HEADER + align), offset: roundUp(SEGMENT_HEADER, align) }
  let at = roundUp(offset, align)
  if (current === undefined || at + bytes > ARENA_SIZE) {
    current = Segment.create(ARENA_SIZE)
    at = roundUp(SEGMENT_HEADER, align)
  }
  offset = at + bytes
  return { segment: current, offset: at }
}

function roundUp(n: number, align: number): number {
  return (n + align - 1) & ~(align - 1)
}

let attaching: Slot | undefined

/**
 * The slot a shared object's constructor should use: the existing struct
 * when the object is being rebuilt by {@link attachAt}, else fresh memory.
 * This keeps public constructors free of internal parameters.
 */
export function claimSlot(bytes: number, align = 8): Slot & { fresh: boolean } {
  const slot = attaching
  attaching = undefined
  return slot === undefined ? { ...allocate(bytes, align), fresh: true } : { ...slot, fresh: false }
}

/** Builds an object over an existing struct: `make` runs its constructor. */
export function attachAt<T>(slot: Slot, make: () => T): T {
  attaching = slot
  try {
    return make()
  } finally {
    attaching = undefined
  }
}
