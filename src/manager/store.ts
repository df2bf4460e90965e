/**
 * The snapshot store under SharedDict and SharedList: a list of records in
 * shared memory, read without a lock and written under one.
 *
 * How it works. One segment per collection, reserved large and sparse (a
 * memfd: pages cost nothing until touched), laid out as
 *
 *   [0, 16)      the segment token
 *   word 4       VERSION: bumped by every committed write
 *   words 5, 6   LEN0, LEN1: bytes used in each half
 *   [64, …)      two halves of `capacity` bytes each: [u32 length][record]…
 *
 * The committed snapshot is the half `VERSION & 1`. A writer holds the
 * collection's `Lock` (a skein Lock, so a holder that dies is recovered from
 * by the next writer), brings its cached model up to date, changes it,
 * writes the whole new snapshot into the *other* half, stores that half's
 * length, and only then bumps VERSION: one atomic store commits the write.
 * A writer killed half-way has written only the uncommitted half, so
 * readers and the next writer never see a torn snapshot.
 *
 * Readers take no lock (a seqlock over the double buffer): read VERSION,
 * copy the half it names, read VERSION again; equal means no writer touched
 * that half meanwhile (one would have had to commit the other half first).
 * Each handle caches the model it decoded with the version it came from,
 * so reads of an unchanged collection cost one atomic load.
 *
 * Critical sections never await: the lock is taken with `acquireSync` and
 * held for a refresh, a change and a copy (microseconds for small
 * collections), so tasks of one thread can never hold it across an await
 * and deadlock each other. The price of whole snapshots: every write copies
 * the whole collection, so a write costs O(size) — fine for the small dicts
 * and lists people share, slow for one of many megabytes (see
 * docs/shared-state.md). When a half is rewritten much smaller than it was,
 * the pages it no longer uses go back to the kernel (MADV_REMOVE).
 */
import { Segment } from '../shm/segment.js'
import type { Lock } from '../sync/lock.js'
import type { Event } from '../sync/event.js'
import { SkeinError, StateError } from '../errors.js'
import { native } from '../native.js'
import { releaseRecord } from './record.js'

const VERSION = 4
const LEN0 = 5
const DATA = 64
/** A half that shrank by this much gives the unused pages back. */
const GIVE_BACK = 256 * 1024
/** Page alignment that suits 4, 16 and 64 KiB pages alike. */
const ALIGN = 64 * 1024

/** Default bytes per snapshot (the segment reserves twice this, sparse). */
export const DEFAULT_CAPACITY = 32 * 1024 * 1024
/** Largest capacity accepted. */
export const MAX_CAPACITY = 1024 * 1024 * 1024

/** How a collection turns its records into its in-memory model and back. */
export interface Model<S> {
  /** Builds the model from a snapshot's records (views into a private copy). */
  parse(records: Uint8Array[]): S
  /** The records of the model, in order. */
  records(state: S): Uint8Array[]
}

/** A change: returns the caller's result, and whether anything changed (else nothing is written). */
export interface Change<R> {
  result: R
  changed: boolean
  /** Records the change dropped that hold shared objects: their references go once it is committed. */
  released?: Uint8Array[]
}

/** The error of a collection whose Manager was shut down. */
export function shutDownError(what: string): SkeinError {
  return new SkeinError(`${what}: its Manager was shut down, so this shared object can no longer be used. Use it before manager.shutdown(), or create it outside a Manager (new SharedDict())`, 'ERR_SKEIN_MANAGER_SHUT_DOWN')
}

/** Validates a capacity option. */
export function checkCapacity(capacity: unknown, owner: string): number {
  if (capacity === undefined) return DEFAULT_CAPACITY
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1024 || capacity > MAX_CAPACITY) {
    throw new RangeError(`${owner}: options.capacity must be an integer number of bytes from 1024 to ${MAX_CAPACITY} (got ${String(capacity)}); the default is ${DEFAULT_CAPACITY}`)
  }
  return capacity
}

/** One collection's records in shared memory, with this handle's cached model. */
export class SnapshotStore<S> {
  readonly segment: Segment
  readonly lock: Lock
  /** Set when the owning Manager shut down (null: no Manager). */
  readonly down: Event | null
  readonly #owner: string
  readonly #model: Model<S>
  readonly #i32: Int32Array
  readonly #u8: Uint8Array
  readonly #capacity: number
  #version: number | null = null
  #state: S | undefined

  constructor(owner: string, model: Model<S>, segment: Segment, lock: Lock, down: Event | null) {
    this.#owner = owner
    this.#model = model
    this.segment = segment
    this.lock = lock
    this.down = down
    this.#i32 = segment.i32
    this.#u8 = new Uint8Array(segment.sab)
    this.#capacity = Math.floor((segment.size - DATA) / 2)
  }

  /** A new, empty store able to hold `capacity` bytes of records. */
  static segmentFor(capacity: number): Segment {
    return Segment.create(DATA + 2 * roundUp(capacity))
  }

  /** Bytes one snapshot may take. */
  get capacity(): number {
    return this.#capacity
  }

  /** Throws if the Manager was shut down. */
  check(what: string): void {
    if (this.down !== null && this.down.isSet()) throw shutDownError(`${this.#owner}.${what}`)
  }

  /** The current model, read without a lock. Don't change it: use {@link write}. */
  read(what: string): S {
    this.check(what)
    const i32 = this.#i32
    for (;;) {
      const v = Atomics.load(i32, VERSION)
      if (v === this.#version) return this.#state as S
      const copy = this.#copyHalf(v)
      if (Atomics.load(i32, VERSION) !== v) continue // a writer committed meanwhile: read again
      this.#adopt(v, copy)
      return this.#state as S
    }
  }

  /**
   * Runs `change` on the up-to-date model under the lock and commits the
   * result; nothing is written if it throws or changes nothing. Blocks the
   * thread while another thread or process writes (microseconds).
   */
  write<R>(what: string, change: (state: S) => Change<R>): R {
    this.check(what)
    if (this.lock.isOwned()) {
      // Critical sections never await, so only code running inside one (an update's fn) can get here.
      throw new StateError(`${this.#owner}.${what}: called from inside update()'s fn on the same ${this.#owner}; fn runs holding its lock, so it must not write to it. Return the new value from fn, and write other keys after update() resolves`)
    }
    this.lock.acquireSync()
    try {
      this.check(what)
      const v = Atomics.load(this.#i32, VERSION)
      if (v !== this.#version) this.#adopt(v, this.#copyHalf(v))
      let outcome: Change<R>
      try {
        outcome = change(this.#state as S)
        if (outcome.changed) this.#commit(v + 1 | 0, what)
      } catch (error) {
        this.#version = null // the model may be half-changed: decode it again next time
        throw error
      }
      if (outcome.released !== undefined) {
        for (const record of outcome.released) releaseQuietly(record)
      }
      return outcome.result
    } finally {
      this.lock.release()
    }
  }

  #copyHalf(v: number): Buffer {
    const half = v & 1
    const length = Math.min(Atomics.load(this.#i32, LEN0 + half), this.#capacity) // clamped: a torn read is retried
    const start = DATA + half * this.#capacity
    const copy = Buffer.allocUnsafe(length)
    copy.set(this.#u8.subarray(start, start + length))
    return copy
  }

  #adopt(v: number, copy: Buffer): void {
    const records: Uint8Array[] = []
    for (let at = 0; at + 4 <= copy.length;) {
      const n = copy.readUInt32LE(at)
      records.push(copy.subarray(at + 4, at + 4 + n))
      at += 4 + n
    }
    this.#state = this.#model.parse(records)
    this.#version = v
  }

  #commit(next: number, what: string): void {
    const records = this.#model.records(this.#state as S)
    let total = 0
    for (const r of records) total += 4 + r.byteLength
    if (total > this.#capacity) {
      throw new RangeError(`${this.#owner}.${what}: the contents would take ${total} bytes, more than this collection's capacity of ${this.#capacity} bytes; nothing was written. Create it with a larger { capacity } (up to ${MAX_CAPACITY}), or keep big values elsewhere (a SharedMemory, a SharedArray)`)
    }
    const half = next & 1
    const u8 = this.#u8
    const before = Atomics.load(this.#i32, LEN0 + half)
    let at = DATA + half * this.#capacity
    for (const r of records) {
      const n = r.byteLength
      u8[at] = n & 0xff
      u8[at + 1] = (n >>> 8) & 0xff
      u8[at + 2] = (n >>> 16) & 0xff
      u8[at + 3] = n >>> 24
      at += 4
      if (n <= 32) {
        for (let i = 0; i < n; i++) u8[at + i] = r[i] as number // TypedArray.set costs more than this for small records
      } else {
        u8.set(r, at)
      }
      at += n
    }
    Atomics.store(this.#i32, LEN0 + half, total)
    Atomics.store(this.#i32, VERSION, next) // the commit
    this.#version = next
    if (before - total >= GIVE_BACK) this.#giveBack(DATA + half * this.#capacity, total, before)
  }

  /** Returns the pages this half no longer uses to the kernel (the collection shrank). */
  #giveBack(start: number, used: number, was: number): void {
    const from = Math.ceil((start + used) / ALIGN) * ALIGN
    const to = Math.floor((start + was) / ALIGN) * ALIGN
    if (to > from) native.discard(this.segment.sab, from, to - from) // an error code is harmless: the pages stay
  }
}

/** Gives back a dropped record's references; a failure leaks them, which is safe. */
export function releaseQuietly(record: Uint8Array): void {
  try {
    releaseRecord(record)
  } catch {
    // e.g. every holder of a struct's segment exited: nothing left to free
  }
}

function roundUp(n: number): number {
  return (n + 7) & ~7
}
