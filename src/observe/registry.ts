/**
 * This thread's registry: what `skein top` and other processes read about it
 * (layout.ts has the map).
 *
 * How it works. The first skein object a thread creates (or the first wait
 * it publishes) maps one memfd named `skein-registry` through the addon and
 * fills its header; from then on the thread writes its own records with
 * plain stores bracketed by a sequence word (readers check it), so no lock
 * is ever taken and nothing is written on a fast path. The mapping goes with
 * the thread (its SharedArrayBuffer is released with the isolate) or the
 * process (the kernel closes the fd), SIGKILL included. A fork server child
 * inherits the server's registry: it maps a registry of its own, and readers
 * ignore a registry whose pid is not the process they found it in.
 */
import { randomBytes } from 'node:crypto'
import { isMainThread } from 'node:worker_threads'
import { native } from '../native.js'
import { afterFork } from '../shm/after-fork.js'
import { watchArenas } from '../shm/free-lists.js'
import { context } from '../runtime/context.js'
import type { Segment } from '../shm/segment.js'
import * as L from './layout.js'

/** The mapped registry of this thread. */
export interface Mapped {
  sab: SharedArrayBuffer
  i32: Int32Array
  u8: Uint8Array
  f64: Float64Array
  /** Interned strings: text → heap offset. */
  strings: Map<string, number>
  /** Arena segments listed, by token: record index. */
  arenas: Map<string, number>
}

let mapped: Mapped | undefined
const encoder = new TextEncoder()

/** This thread's registry, mapped on first use. */
export function registry(): Mapped {
  return mapped ??= create()
}

/** Whether this thread has a registry yet (readers of the process only). */
export function hasRegistry(): boolean {
  return mapped !== undefined
}

function create(): Mapped {
  const token = randomBytes(12).toString('base64url')
  const sab = native.createSegment(token, L.REGISTRY_BYTES, L.MEMFD_NAME)
  const m: Mapped = {
    sab,
    i32: new Int32Array(sab),
    u8: new Uint8Array(sab),
    f64: new Float64Array(sab, 0, L.HEAP / 8),
    strings: new Map(),
    arenas: new Map(),
  }
  const tid = native.gettid()
  set(m, L.H_VERSION, L.VERSION)
  set(m, L.H_PID, process.pid)
  set(m, L.H_TID, tid)
  set(m, L.H_OWNER, ownerId ?? tid)
  set(m, L.H_PPID, process.ppid)
  set(m, L.H_ROLE, isMainThread ? L.ROLE.main : L.ROLE.thread)
  set(m, L.H_PARENT_TID, isMainThread ? 0 : process.pid)
  set(m, L.H_HEAP_TOP, L.HEAP)
  m.f64[L.H_START / 8] = startedAt ?? performance.timeOrigin
  // The token occupied the first bytes: the magic goes last, so a reader never takes a half-made header.
  Atomics.store(m.i32, L.H_MAGIC >> 2, L.MAGIC)
  // A worker thread knows its process's name from the context its parent passed (runtime/context.ts).
  writeName(m, L.H_PROCESS_NAME, processName !== '' ? processName : context().child?.name ?? 'MainProcess')
  writeName(m, L.H_THREAD_NAME, threadName ?? (isMainThread ? 'MainThread' : 'Thread'))
  return m
}

function set(m: Mapped, at: number, value: number): void {
  Atomics.store(m.i32, at >> 2, value)
}

/** Tells readers that something changed (they may skip a registry whose count did not move). */
export function changed(m: Mapped): void {
  Atomics.add(m.i32, L.H_CHANGES >> 2, 1)
}

function writeName(m: Mapped, at: number, name: string): void {
  const seq = L.H_SEQ >> 2
  Atomics.add(m.i32, seq, 1)
  const bytes = encoder.encode(name).subarray(0, L.NAME_BYTES)
  m.u8.set(bytes, at + 4)
  Atomics.store(m.i32, at >> 2, bytes.length)
  Atomics.add(m.i32, seq, 1)
  changed(m)
}

// Names and ids set before the registry exists are kept for its creation.
let processName = isMainThread ? 'MainProcess' : ''
let threadName: string | undefined
let ownerId: number | undefined
/** Set where performance.timeOrigin is not this thread's start: a fork server child, a reused worker's new Thread. */
let startedAt: number | undefined

/**
 * Records this thread's role and name (a Thread's worker when it takes a
 * job, a pool worker, the fork server…); `restarted`: a reused worker begins
 * a new Thread, whose start time is now.
 */
export function setRole(role: L.RoleName, name?: string, restarted = false): void {
  if (name !== undefined) threadName = name
  if (restarted) startedAt = Date.now()
  const m = registry()
  const seq = L.H_SEQ >> 2
  Atomics.add(m.i32, seq, 1)
  set(m, L.H_ROLE, L.ROLE[role])
  if (restarted) m.f64[L.H_START / 8] = startedAt!
  Atomics.add(m.i32, seq, 1)
  if (name !== undefined) writeName(m, L.H_THREAD_NAME, name)
  else changed(m)
}

/** Records that this process's main thread runs a process named `name` in `role` ('process', 'fork server'…). */
export function identifyProcess(role: L.RoleName, name: string): void {
  setProcessName(name)
  setRole(role)
}

/** Records the process's name (main threads: `currentProcess().name`). */
export function setProcessName(name: string): void {
  processName = name
  if (mapped !== undefined) writeName(mapped, L.H_PROCESS_NAME, name)
}

/** Records the owner id this thread's locks carry now (a reused worker renews it per Thread). */
export function setOwnerId(id: number): void {
  ownerId = id
  if (mapped !== undefined) {
    set(mapped, L.H_OWNER, id)
    changed(mapped)
  }
}

/**
 * The heap offset of `text` (interned: the same text is written once), or 0
 * when the heap is full (readers then show the object without a name).
 */
export function intern(text: string): number {
  const m = registry()
  const known = m.strings.get(text)
  if (known !== undefined) return known
  const cut = text.length > L.HEAP_STRING_MAX ? text.slice(0, L.HEAP_STRING_MAX) : text
  const top = Atomics.load(m.i32, L.H_HEAP_TOP >> 2)
  if (top + 2 + cut.length * 3 > L.REGISTRY_BYTES) return 0
  const { written } = encoder.encodeInto(cut, m.u8.subarray(top + 2))
  m.u8[top] = written & 0xff
  m.u8[top + 1] = written >> 8
  Atomics.store(m.i32, L.H_HEAP_TOP >> 2, top + 2 + written)
  m.strings.set(text, top)
  return top
}

/** Where a record keeps a place: byte offsets of its fields from the record's start. */
export interface PlaceFields {
  fd: number
  offset: number
  size: number
  token: number
}

/** Writes the place of a struct at `offset` in `segment` (fd in this process, offset, segment size, token) into the record at byte `at`. */
export function writePlace(m: Mapped, at: number, fields: PlaceFields, segment: Segment, offset: number): void {
  set(m, at + fields.fd, native.segmentFd(segment.token))
  set(m, at + fields.offset, offset)
  set(m, at + fields.size, segment.size)
  encoder.encodeInto(segment.token, m.u8.subarray(at + fields.token, at + fields.token + 16))
}

/** Lists an arena segment this thread carves structs from (readers walk it for locks). */
export function noteArena(segment: Segment): void {
  const m = registry()
  if (m.arenas.has(segment.token)) return
  let index = -1
  const count = Atomics.load(m.i32, L.H_ARENA_COUNT >> 2)
  for (let i = 0; i < count; i++) {
    if (Atomics.load(m.i32, (L.ARENAS + i * L.ARENA_RECORD + L.A_SIZE) >> 2) === 0) {
      index = i
      break
    }
  }
  if (index === -1) {
    if (count >= L.ARENA_SLOTS) return // past 96 MiB of structs: the rest is not listed
    index = count
    set(m, L.H_ARENA_COUNT, count + 1)
  }
  const at = L.ARENAS + index * L.ARENA_RECORD
  encoder.encodeInto(segment.token, m.u8.subarray(at + L.A_TOKEN, at + L.A_TOKEN + 16))
  set(m, at + L.A_FD, native.segmentFd(segment.token))
  set(m, at + L.A_SIZE, segment.size)
  m.arenas.set(segment.token, index)
  changed(m)
}

/** Unlists an arena segment this thread dropped. */
export function forgetArena(segment: Segment): void {
  const m = mapped
  const index = m?.arenas.get(segment.token)
  if (m === undefined || index === undefined) return
  set(m, L.ARENAS + index * L.ARENA_RECORD + L.A_SIZE, 0)
  m.arenas.delete(segment.token)
  changed(m)
}

// The arena lives below the registry (shm/): it tells the registry of its segments through a watcher.
watchArenas({ mapped: noteArena, dropped: forgetArena })

/**
 * Names a struct this thread just carved from its arena: the slot header's
 * tag bits get its kind and the index of its NAME word, which gets its
 * name's heap offset (layout.ts, SLOT_TAG_*), where readers walking the
 * arena find them.
 */
export function nameStruct(segment: Segment, offset: number, kind: number, name: string, nameWord: number): void {
  const i32 = segment.i32
  const link = ((offset - L.SLOT_HEADER) >> 2) + 1
  Atomics.store(i32, (offset >> 2) + nameWord, intern(name))
  Atomics.store(i32, link, (Atomics.load(i32, link) & ~L.SLOT_TAG_MASK) | kind | (nameWord << L.SLOT_TAG_NAME_SHIFT))
}

/**
 * Drops this thread's registry (the next use maps a new one). A fork server
 * child does so (the server's registry is not its own: readers skip it by
 * its pid); the fork server does too, during its warm-up
 * (process/warm-queue.ts), so that the code it compiles there already
 * fits a child's new registry.
 */
export function forgetRegistry(): void {
  mapped = undefined
  processName = ''
  ownerId = undefined
  startedAt = Date.now()
}

afterFork(forgetRegistry)

/**
 * Retires this thread's own registry before it is forgotten: its magic word
 * goes, so readers skip it even while its mapping waits to be collected
 * (the fork server's warm-up, whose registry would otherwise list the
 * warm-up queue until then). Never in a fork child: there the mapping is the
 * server's registry, shared.
 */
export function retireRegistry(): void {
  if (mapped !== undefined) Atomics.store(mapped.i32, L.H_MAGIC >> 2, 0)
}
