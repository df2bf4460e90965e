/**
 * Reading structs of other processes: the locks in a thread's arena
 * segments (who holds each), one lock's owner word (a queue's depth:
 * snapshot/queues.ts).
 *
 * An arena segment is walked slot by slot from its first slot: each slot's
 * header gives its size class (so the next slot) and, while in use, a
 * reference count above 0 and the kind tag the creator wrote
 * (registry.ts's nameStruct). A header of class 0 ends the walk (nothing
 * was carved past it). Every size read from another process is bounded
 * before use.
 */
import { FIRST_SLOT, classBytes } from '../../shm/slot-header.js'
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
