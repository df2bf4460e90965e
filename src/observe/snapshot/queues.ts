/**
 * A queue's depth and waiters, read from its ring's header in another
 * process's segment (queue/layout.ts has the map). Above the queues in the
 * layers, unlike the rest of the reader, which the deadlock check uses
 * from inside every primitive.
 */
import * as Q from '../../queue/layout.js'
import { readSegment } from '../reader/proc.js'
import type { Place } from '../reader/registry.js'

/** A queue's depth and waiters, read from its segment's header. */
export interface QueueState {
  size: number
  maxsize: number
  closed: boolean
  getters: number
  putters: number
}

/** The state of the queue ring at `place` (offset 0 of its own segment), or undefined (queue/layout.ts has the map). */
export function readQueue(place: Place): QueueState | undefined {
  const buf = readSegment(place.pid, place.fd, place.token, 0, Q.HEADER_BYTES)
  if (buf === undefined || buf.length < Q.HEADER_BYTES) return undefined
  const word = (i: number): number => buf.readInt32LE(i * 4)
  let size: number
  if (word(Q.ORDER) === Q.FIFO) {
    size = (word(Q.PUB_PUTS) - word(Q.PUB_TAKES)) | 0
  } else {
    const state = (Q.STATE_AT + (word(Q.SELECTOR) & 1) * Q.STATE_WORDS) * 8
    size = buf.readDoubleLE(state + Q.COUNT * 8)
  }
  return {
    size: Number.isFinite(size) && size > 0 ? size : 0,
    maxsize: word(Q.MAXSIZE),
    closed: word(Q.CLOSED) !== 0,
    getters: Q.countSleepers((i) => word((Q.NOT_EMPTY_AT >> 2) + i)),
    putters: Q.countSleepers((i) => word((Q.NOT_FULL_AT >> 2) + i)),
  }
}
