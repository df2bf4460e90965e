/**
 * The records a thread writes in its registry (layout.ts): what it waits on
 * (written only when a waiter actually sleeps), the semaphore permits it
 * holds (a counter per semaphore handle, bumped on acquire and release), and
 * the objects that have a segment of their own or live in JS (queues, pipes,
 * pools), with their counters.
 *
 * Each record has a free-list of indexes kept in JS; a record is written
 * between two bumps of its sequence word, so a reader never keeps a torn one.
 */
import { randomBytes } from 'node:crypto'
import type { Segment } from '../shm/segment.js'
import * as L from './layout.js'
import { callerLine } from './names.js'
import { changed, intern, registry, writePlace, type Mapped, type PlaceFields } from './registry.js'
import { afterFork } from '../shm/after-fork.js'

const WAIT_PLACE: PlaceFields = { fd: L.W_FD, offset: L.W_OFFSET, size: L.W_SIZE, token: L.W_TOKEN }
const PERMIT_PLACE: PlaceFields = { fd: L.P_FD, offset: L.P_OFFSET, size: L.P_SIZE, token: L.P_TOKEN }
const OBJECT_PLACE: PlaceFields = { fd: L.O_FD, offset: L.O_OFFSET, size: L.O_SIZE, token: L.O_TOKEN }

/** A free-list of record indexes: lowest first, growing a high-water mark. */
class Slots {
  readonly #free: number[] = []
  #top = 0
  constructor(readonly limit: number) {}
  take(): number {
    if (this.#free.length > 0) return this.#free.pop()!
    return this.#top < this.limit ? this.#top++ : -1
  }
  give(index: number): void {
    this.#free.push(index)
  }
  get top(): number {
    return this.#top
  }
  reset(): void {
    this.#free.length = 0
    this.#top = 0
  }
}

const waitSlots = new Slots(L.WAIT_SLOTS)
const permitSlots = new Slots(L.PERMIT_SLOTS)
const objectSlots = new Slots(L.OBJECT_SLOTS)

/** What a waiter sleeps on. */
export interface WaitTarget {
  /** layout.ts KIND code. */
  kind: number
  /** Undefined for a wait on no shared struct (a join). */
  segment: Segment | undefined
  /** Byte offset of the struct in its segment. */
  offset: number
  /** The object's display name. */
  name: string
  /** For a join: the tid (Thread) or pid (Process) joined. */
  target?: number
}

/**
 * Publishes "this thread (or a task of it, `async`) sleeps on `t`, doing
 * `op`, since now". Returns the record's index for {@link endWait}, or -1
 * when all records are in use (counted as overflow).
 */
export function beginWait(t: WaitTarget, op: number, async: boolean): number {
  const m = registry()
  const index = waitSlots.take()
  if (index < 0) {
    Atomics.add(m.i32, L.H_WAIT_OVERFLOW >> 2, 1)
    return -1
  }
  const at = L.WAITS + index * L.WAIT_RECORD
  const seq = (at + L.W_SEQ) >> 2
  Atomics.add(m.i32, seq, 1)
  const i32 = m.i32
  i32[(at + L.W_KIND) >> 2] = t.kind
  i32[(at + L.W_OP) >> 2] = op
  i32[(at + L.W_FLAGS) >> 2] = async ? L.WAIT_ASYNC : 0
  m.f64[(at + L.W_SINCE) >> 3] = performance.timeOrigin + performance.now()
  if (t.segment !== undefined) writePlace(m, at, WAIT_PLACE, t.segment, t.offset)
  else noPlace(m, at, WAIT_PLACE)
  i32[(at + L.W_NAME) >> 2] = intern(t.name)
  i32[(at + L.W_LINE) >> 2] = 0
  i32[(at + L.W_TARGET) >> 2] = t.target ?? 0
  Atomics.add(m.i32, seq, 1)
  changed(m)
  return index
}

/** Records the waiting code's line in wait record `index` (call it from the waiting stack). */
export function noteWaitLine(index: number): void {
  if (index < 0) return
  const m = registry()
  const at = L.WAITS + index * L.WAIT_RECORD
  const seq = (at + L.W_SEQ) >> 2
  const line = intern(callerLine())
  Atomics.add(m.i32, seq, 1)
  m.i32[(at + L.W_LINE) >> 2] = line
  Atomics.add(m.i32, seq, 1)
}

/** The waiter woke (or gave up): its record goes. */
export function endWait(index: number): void {
  if (index < 0) return
  const at = L.WAITS + index * L.WAIT_RECORD
  clearRecord(registry(), at + L.W_SEQ, at + L.W_KIND)
  waitSlots.give(index)
}

/** The since time (epoch ms) of wait record `index` (this thread's). */
export function waitSince(index: number): number {
  return registry().f64[(L.WAITS + index * L.WAIT_RECORD + L.W_SINCE) >> 3]!
}

/**
 * The word (Int32 index into {@link permitWords}) counting the permits this
 * thread holds of the semaphore at (`segment`, `offset`): claimed once per
 * semaphore handle, then bumped with `words[i]++` / `words[i]--` (no atomic
 * needed: only this thread writes it). -1 when every record is in use (the
 * permits then go unrecorded).
 */
export function permitWord(segment: Segment, offset: number): number {
  const m = registry()
  const index = permitSlots.take()
  if (index < 0) return -1
  const at = L.PERMITS + index * L.PERMIT_RECORD
  m.i32[(at + L.P_COUNT) >> 2] = 0
  writePlace(m, at, PERMIT_PLACE, segment, offset)
  Atomics.store(m.i32, L.H_PERMIT_TOP >> 2, permitSlots.top)
  return (at + L.P_COUNT) >> 2
}

/** The words {@link permitWord} indexes (this thread's registry). */
export function permitWords(): Int32Array {
  return registry().i32
}

/** Gives back a permit word of a collected semaphore handle (`epoch`: {@link recordEpoch} when it was claimed). */
export function dropPermitWord(word: number, epoch: number): void {
  if (word < 0 || epoch !== recordEpoch) return
  registry().i32[word] = 0
  permitSlots.give(((word << 2) - L.PERMITS) / L.PERMIT_RECORD)
}

/** Writes "no shared struct" as a record's place: fd -1 and a random token (so the record is an identity of its own). */
function noPlace(m: ReturnType<typeof registry>, at: number, fields: PlaceFields): void {
  m.i32[(at + fields.fd) >> 2] = -1
  m.i32[(at + fields.offset) >> 2] = 0
  m.i32[(at + fields.size) >> 2] = 0
  m.u8.set(Buffer.from(randomBytes(12).toString('base64url'), 'latin1'), at + fields.token)
}

/** A published object: update its counters with {@link setStat}; it goes with {@link dropObject} or when its owner is collected. */
export interface ObjectRecord {
  index: number
}

const objectsGone = new FinalizationRegistry<{ index: number; epoch: number }>((held) => {
  if (held.epoch === recordEpoch) dropObjectAt(held.index)
})

/**
 * Publishes an object with a segment of its own (a queue, a pipe direction)
 * or none (a pool: `segment` undefined). The record goes when `owner` is
 * collected, or with {@link dropObject}.
 */
export function publishObject(owner: object, kind: number, name: string, segment?: Segment, offset = 0): ObjectRecord {
  const m = registry()
  const index = objectSlots.take()
  const record = { index }
  if (index < 0) return record
  const at = L.OBJECTS + index * L.OBJECT_RECORD
  const seq = (at + L.O_SEQ) >> 2
  Atomics.add(m.i32, seq, 1)
  m.i32[(at + L.O_KIND) >> 2] = kind
  if (segment !== undefined) {
    writePlace(m, at, OBJECT_PLACE, segment, offset)
  } else {
    noPlace(m, at, OBJECT_PLACE)
  }
  m.i32[(at + L.O_NAME) >> 2] = intern(name)
  for (let i = 0; i < L.STAT_COUNT; i++) m.i32[((at + L.O_STATS) >> 2) + i] = 0
  Atomics.add(m.i32, seq, 1)
  Atomics.store(m.i32, L.H_OBJECT_TOP >> 2, objectSlots.top)
  objectsGone.register(owner, { index, epoch: recordEpoch }, record)
  changed(m)
  return record
}

/** Sets counter `stat` (layout.ts POOL_* for pools) of an object record. */
export function setStat(record: ObjectRecord, stat: number, value: number): void {
  if (record.index < 0) return
  registry().i32[((L.OBJECTS + record.index * L.OBJECT_RECORD + L.O_STATS) >> 2) + stat] = value
}

/** Unpublishes an object (closed, terminated). */
export function dropObject(record: ObjectRecord): void {
  if (record.index < 0) return
  objectsGone.unregister(record)
  dropObjectAt(record.index)
  record.index = -1
}

function dropObjectAt(index: number): void {
  const at = L.OBJECTS + index * L.OBJECT_RECORD
  clearRecord(registry(), at + L.O_SEQ, at + L.O_KIND)
  objectSlots.give(index)
}

/** Empties a record: its kind word zeroed between two bumps of its sequence word (readers retry an odd or moved one). */
function clearRecord(m: Mapped, seqAt: number, kindAt: number): void {
  Atomics.add(m.i32, seqAt >> 2, 1)
  m.i32[kindAt >> 2] = 0
  Atomics.add(m.i32, seqAt >> 2, 1)
  changed(m)
}

/**
 * Which registry record indexes belong to: a fork server child maps a
 * registry of its own, where the server's indexes (held by inherited handles
 * and finalizers) mean nothing.
 */
export let recordEpoch = 0

/** Forgets the records of the registry this thread dropped (registry.ts forgetRegistry). */
export function forgetRecords(): void {
  waitSlots.reset()
  permitSlots.reset()
  objectSlots.reset()
  recordEpoch++
}

afterFork(forgetRecords)
