/**
 * A queue's state read from a copy of its header (the first HEADER_BYTES of
 * its segment), for tools that look from outside (`skein top` reads the
 * bytes through /proc). Works for both kinds of ring; a snapshot, as qsize().
 *
 * @example
 * import { queueState } from './inspect.js'
 * const state = queueState(headerBytes) // { size, maxsize, closed, getters, putters } or undefined
 */
import * as L from './layout.js'

/** What a queue's header says. */
export interface QueueState {
  /** Items in the queue. */
  size: number
  maxsize: number
  closed: boolean
  /** Threads (and handles with async waiters) waiting to get. */
  getters: number
  /** Threads (and handles with async waiters) waiting to put on a full queue. */
  putters: number
}

/** The state in a header copy, or undefined when it is too short or not a queue's. */
export function queueState(header: Buffer): QueueState | undefined {
  if (header.length < L.HEADER_BYTES) return undefined
  const word = (index: number): number => header.readInt32LE(index * 4)
  const order = word(L.ORDER)
  let size: number
  if (order === L.FIFO) size = (word(L.PUB_PUTS) - word(L.PUB_TAKES)) | 0
  else if (order === L.LIFO || order === L.PRIORITY) size = header.readDoubleLE((L.STATE_AT + (word(L.SELECTOR) & 1) * L.STATE_WORDS + L.COUNT) * 8)
  else return undefined
  return {
    size: Number.isFinite(size) && size > 0 ? size : 0, // bytes from another process: a NaN or negative count reads as empty
    maxsize: word(L.MAXSIZE),
    closed: word(L.CLOSED) !== 0,
    getters: L.countSleepers((i) => word((L.NOT_EMPTY_AT >> 2) + i)),
    putters: L.countSleepers((i) => word((L.NOT_FULL_AT >> 2) + i)),
  }
}
