/**
 * The ring: the shared struct under every queue and pipe, in one of two
 * kinds behind one interface (layout.ts): a FIFO ring with a put side and a
 * take side (fifo-ring.ts), or a LOCKED ring, one lock for both ends
 * (locked-ring.ts, LifoQueue and PriorityQueue).
 */
import type { Segment } from '../shm/segment.js'
import { FifoRing } from './fifo-ring.js'
import { LockedRing } from './locked-ring.js'
import { RingMemory } from './ring-memory.js'
import * as L from './layout.js'

export { PUT_OK, PUT_FULL, PUT_NO_ROOM, PUT_CLOSED, type PutOutcome } from './put-side.js'

/** A queue's or a pipe direction's shared struct, whichever kind. */
export type Ring = FifoRing | LockedRing

/** A new, empty ring of `order` (FIFO, LIFO, PRIORITY); `label` names it in errors. */
export function createRing(order: number, maxsize: number, capacity: number, label: string): Ring {
  const memory = RingMemory.create(order, maxsize, capacity, label)
  return order === L.FIFO ? new FifoRing(memory, true) : new LockedRing(memory, true)
}

/** The ring in an attached segment (its header checked first). */
export function attachRing(segment: Segment, label: string): Ring {
  const memory = RingMemory.attach(segment, label)
  return memory.order === L.FIFO ? new FifoRing(memory, false) : new LockedRing(memory, false)
}
