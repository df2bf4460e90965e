/**
 * Reading structs of other processes: the locks in a thread's arena
 * segments (who holds each), one lock's owner word, a queue's depth.
 *
 * An arena segment is walked slot by slot from its first slot: each slot's
 * header gives its size class (so the next slot) and, while in use, a
 * reference count above 0 and the kind tag the creator wrote
 * (registry.ts's nameStruct). A header of class 0 ends the walk (nothing
 * was carved past it). Every size read from another process is bounded
 * before use.
 */
import { FIRST_SLOT, classBytes } from '../../shm/slot-header.js'
import * as Q from '../../queue/layout.js'
import * as L from '../layout.js'
import { readSegment } from './proc.js'
import type { Place } from './registry.js'

/** A tagged struct found in an arena: its kind, owner word (locks), name offset in its creator's heap. */
export interface FoundStruct {
  key: string
  kind: number
  owner: number
  nameRef: number
}

/** The tagged structs in use in an arena segment held by `pid` as `fd`. */
export function walkArena(pid: number, fd: number, token: string, size: number): FoundStruct[] {
  const found: FoundStruct[] = []
  const buf = readSegment(pid, fd, token, 0, Math.min(size, 64 << 20))
  if (buf === undefined) return found
  for (let slot = FIRST_SLOT; slot + L.SLOT_HEADER <= buf.length;) {
    const refs = buf.readInt32LE(slot)
    const word1 = buf.readUInt32LE(slot + 4)
    const cls = word1 >>> 16
    const bytes = cls === 0 || cls > 200 ? 0 : classBytes(cls)
    if (bytes === 0 || slot + bytes > buf.length) break
    const kind = word1 & L.SLOT_TAG_KIND_MASK
    const nameWord = (word1 & L.SLOT_TAG_MASK) >>> L.SLOT_TAG_NAME_SHIFT
    const struct = slot + L.SLOT_HEADER
    if (refs > 0 && kind !== 0 && struct + (nameWord + 1) * 4 <= slot + bytes) {
      found.push({ key: keyOf(token, struct), kind, owner: buf.readInt32LE(struct + L.LOCK_OWNER_WORD * 4), nameRef: nameWord === 0 ? 0 : buf.readInt32LE(struct + nameWord * 4) })
    }
    slot += bytes
  }
  return found
}

/** The identity of a struct across processes: its segment's token and its offset. */
export function keyOf(token: string, offset: number): string {
  return `${token}:${offset}`
}

/** Reads `count` words at a place (undefined if the segment is gone). */
export function readWords(place: Place, count: number, at = 0): Int32Array | undefined {
  const buf = readSegment(place.pid, place.fd, place.token, place.offset + at * 4, count * 4)
  if (buf === undefined || buf.length < count * 4) return undefined
  return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + count * 4))
}

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
