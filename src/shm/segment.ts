/**
 * Segments: shared memory that every thread and process can map.
 *
 * How it works: a segment is an anonymous memfd created by the native addon
 * and handed to JS as a real SharedArrayBuffer. Its descriptor names a living
 * holder (pid + fd) so another process can open `/proc/PID/fd/FD`; the token
 * at the start of the segment proves the right file was opened. Threads of one
 * process share one mapping through the addon's process-wide registry. The
 * kernel frees the memory once the last holder exits, SIGKILL included, so
 * nothing can leak into /dev/shm.
 */
import { randomBytes } from 'node:crypto'
import { native } from '../native.js'

/** Bytes at the start of each segment reserved for its token. */
export const SEGMENT_HEADER = 16

/** What crosses a thread or process boundary to reattach a segment. */
export interface SegmentDescriptor {
  token: string
  pid: number
  fd: number
  size: number
}

/** A mapped shared-memory segment. */
export class Segment {
  readonly token: string
  readonly sab: SharedArrayBuffer
  readonly i32: Int32Array
  readonly size: number

  private constructor(token: string, sab: SharedArrayBuffer) {
    this.token = token
    this.sab = sab
    this.size = sab.byteLength
    this.i32 = new Int32Array(sab)
  }

  /** Maps a new zero-filled segment of `size` bytes (header included). */
  static create(size: number): Segment {
    const token = randomBytes(12).toString('base64url') // 16 chars
    // Not cached until described: a WeakRef keeps its target alive to the end of the
    // current job, so a synchronous loop creating and dropping queues would pin
    // every segment (and its file descriptor) until the loop ends.
    return track(new Segment(token, native.createSegment(token, Math.max(size, SEGMENT_HEADER))))
  }

  /** Attaches the segment a descriptor names, reusing this thread's mapping if any. */
  static attach(d: SegmentDescriptor): Segment {
    checkDescriptor(d)
    const cached = cache.get(d.token)?.deref()
    if (cached) return cached
    const sab = native.attachSegment(d.token, d.pid, d.fd, d.size)
    if (!sab) {
      throw new Error(native.threadAlive(d.pid)
        ? `cannot attach shared memory segment ${d.token}: process ${d.pid}, which sent it, holds no such segment (the object was closed or collected there before this side attached, or the descriptor names none). Keep a reference to the shared object there until the receiver has it`
        : `cannot attach shared memory segment ${d.token}: every process that held it (last known pid ${d.pid}) has exited. Keep the process that created a shared object alive while others still receive it`)
    }
    return remember(new Segment(d.token, sab))
  }

  /** A descriptor naming this process as the holder. */
  describe(): SegmentDescriptor {
    if (!cache.has(this.token)) cache.set(this.token, new WeakRef(this))
    return { token: this.token, pid: process.pid, fd: native.segmentFd(this.token), size: this.size }
  }
}

/** Tokens are 16 base64url characters (12 random bytes); anything else was not made here. */
const TOKEN = /^[A-Za-z0-9_-]{16}$/

/**
 * Checks a descriptor before it names a file to map: it may come from
 * shared memory or a message an attacker wrote. An empty or short token
 * would match any file's first bytes.
 */
function checkDescriptor(d: SegmentDescriptor): void {
  const ok = typeof d === 'object' && d !== null && typeof d.token === 'string' && TOKEN.test(d.token) &&
    Number.isSafeInteger(d.pid) && d.pid > 0 && Number.isSafeInteger(d.fd) && d.fd >= 0 && d.fd < 2 ** 31 &&
    Number.isSafeInteger(d.size) && d.size >= SEGMENT_HEADER
  if (!ok) {
    throw new TypeError(`cannot attach a shared memory segment: its descriptor is damaged (${safeJson(d)}); it was not made by skein's encode(), or was changed on the way. Send the shared object again from its holder`)
  }
}

function safeJson(d: unknown): string {
  try {
    return JSON.stringify(d)?.slice(0, 200) ?? typeof d
  } catch {
    return typeof d
  }
}

/** This thread's segments by token, so attaching twice reuses one object (and one mapping). */
const cache = new Map<string, WeakRef<Segment>>()
let live = 0

/** Forgets a collected segment (its mapping goes with its SharedArrayBuffer). */
const collected = new FinalizationRegistry<string>((token) => {
  live--
  native.adjustExternalMemory(-SEGMENT_COST)
  if (cache.get(token)?.deref() === undefined) cache.delete(token)
})

function remember(segment: Segment): Segment {
  cache.set(segment.token, new WeakRef(segment))
  return track(segment)
}

/**
 * What a mapped segment costs outside V8's heap, as V8 is told: V8 does not
 * count shared memory, so without it a loop creating and dropping segments
 * would run out of file descriptors before any collection unmapped them. A
 * collection comes after a few hundred dropped segments.
 */
const SEGMENT_COST = 256 * 1024

function track(segment: Segment): Segment {
  native.adjustExternalMemory(SEGMENT_COST)
  collected.register(segment, segment.token)
  live++
  return segment
}

/** @internal Segments this thread has mapped and not yet collected (for leak tests). */
export function liveSegments(): number {
  return live
}
