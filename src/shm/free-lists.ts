/**
 * This thread's heap of small shared structs: 1 MiB arena segments carved
 * into slots of a few size classes, with a free list per class.
 *
 * How it works. A slot is a header (slot-header.ts) and the struct. `take`
 * serves a class from its free list first, else bumps through the current
 * segment; only when that is full does it collect the slots other threads
 * and processes freed (each segment's remote-free list) and, if still
 * nothing fits, map a new segment. A slot freed in this thread goes straight
 * back on its free list; a segment none of whose slots is in use any more
 * (and that is not the one being bumped) is dropped, so the kernel gets the
 * memory back once no other process maps it either.
 *
 * Everything here is per thread (module state is per JS environment): a
 * segment belongs to the thread that mapped it, and only that thread reuses
 * its slots.
 */
import { Segment } from './segment.js'
import { FIRST_SLOT, HEADER, REMOTE_HEAD, classBytes, classOf, initHeader, nextRemote, pushRemote, takeRemote } from './slot-header.js'
import { afterFork } from './after-fork.js'

/** Bytes in one arena segment (offsets fit in 20 bits). */
export const ARENA_SIZE = 1 << 20
/** Slot sizes: multiples of 16 up to 1 KiB, then powers of two. */
const SMALL_STEP = 16
const SMALL_LIMIT = 1024

/** One segment this thread carves slots from. */
class ArenaSegment {
  segment: Segment | undefined
  i32: Int32Array
  u8: Uint8Array
  readonly id: number
  /** Slots handed out and not yet back on a free list. */
  live = 0
  /** Free slot offsets, by size class. */
  readonly free: number[][] = []

  constructor(segment: Segment, id: number) {
    this.segment = segment
    this.i32 = segment.i32
    this.u8 = new Uint8Array(segment.sab)
    this.id = id
  }
}

const byId = new Map<number, ArenaSegment>()
const byToken = new Map<string, ArenaSegment>()
/** Per class: segments whose free list of that class is not empty (released ones are skipped lazily). */
const partial: ArenaSegment[][] = []
let current: ArenaSegment | undefined
let top = 0
let nextId = 1

let onGrow: () => void = () => {}

/** Sets what to do when a new segment is about to be mapped (arena.ts asks for a collection). */
export function setGrowHook(hook: () => void): void {
  onGrow = hook
}

/** Told of every arena segment this thread maps and drops (the registry lists them, observe/registry.ts). */
export interface ArenaWatcher {
  mapped(segment: Segment): void
  dropped(segment: Segment): void
}

let watcher: ArenaWatcher | undefined

/** Sets the arena watcher; it is told at once of the segments mapped before it came. */
export function watchArenas(w: ArenaWatcher): void {
  watcher = w
  for (const a of byToken.values()) if (a.segment !== undefined) w.mapped(a.segment)
}

/** A slot, as one number: segment id × ARENA_SIZE + slot offset (no allocation, fits in 53 bits). */
export type SlotCode = number

/** The size class of a struct of `bytes` (header included in the slot). */
export function sizeClass(bytes: number): number {
  const slot = bytes + HEADER
  if (slot <= SMALL_LIMIT) return Math.ceil(slot / SMALL_STEP)
  return SMALL_LIMIT / SMALL_STEP + Math.ceil(Math.log2(slot / SMALL_LIMIT))
}

/** Takes a zeroed slot for a struct of `bytes` (< 64 KiB) holding one reference. */
export function take(bytes: number): SlotCode {
  const cls = sizeClass(bytes)
  const reused = pop(cls)
  if (reused !== 0) return reused
  if (current !== undefined && Atomics.load(current.i32, REMOTE_HEAD) !== 0) {
    collect(current)
    const again = pop(cls)
    if (again !== 0) return again
  }
  const size = classBytes(cls)
  if (current === undefined || top + size > ARENA_SIZE) {
    for (const a of [...byId.values()]) collect(a)
    const again = pop(cls)
    if (again !== 0) return again
    onGrow()
    const old = current
    current = new ArenaSegment(Segment.create(ARENA_SIZE), nextId++)
    byId.set(current.id, current)
    byToken.set(current.segment!.token, current)
    watcher?.mapped(current.segment!) // readers of the registry walk it for locks
    top = FIRST_SLOT
    if (old !== undefined && old.live === 0) release(old)
  }
  const slot = top
  top += size
  return start(current, slot, cls)
}

/** The segment of a slot this thread took. */
export function segmentOf(code: SlotCode): Segment {
  return byId.get(Math.floor(code / ARENA_SIZE))!.segment!
}

/** The slot offset (header start) of a code. */
export function slotOf(code: SlotCode): number {
  return code % ARENA_SIZE
}

/** The Int32Array of the segment of a slot this thread took, or undefined if it is gone (a bug). */
export function wordsOf(code: SlotCode): Int32Array | undefined {
  return byId.get(Math.floor(code / ARENA_SIZE))?.i32
}

/**
 * Gives back a slot whose last reference was dropped: onto this thread's
 * free list if this thread owns the segment, else onto the segment's
 * remote-free list for its owner to collect.
 */
export function giveBack(segment: Segment, slot: number): void {
  const a = byToken.get(segment.token)
  if (a !== undefined) reclaim(a, slot, classOf(a.i32, slot))
  else pushRemote(segment.i32, slot)
}

/** Gives back a slot of this thread's, by code. */
export function giveBackOwn(code: SlotCode): void {
  const a = byId.get(Math.floor(code / ARENA_SIZE))
  if (a === undefined) return
  const slot = code % ARENA_SIZE
  reclaim(a, slot, classOf(a.i32, slot))
}

/** @internal This thread's arena, after collecting what others freed: segments held and slots in use (for leak tests). */
export function arenaUsage(): { segments: number; slots: number } {
  for (const a of [...byId.values()]) collect(a)
  let slots = 0
  for (const a of byId.values()) slots += a.live
  return { segments: byId.size, slots }
}

function pop(cls: number): SlotCode {
  const stack = partial[cls]
  if (stack === undefined) return 0
  while (stack.length > 0) {
    const a = stack[stack.length - 1]
    const list = a.free[cls]
    if (a.segment === undefined || list === undefined || list.length === 0) {
      stack.pop()
      continue
    }
    const slot = list.pop()!
    if (list.length === 0) stack.pop()
    a.u8.fill(0, slot, slot + classBytes(cls))
    return start(a, slot, cls)
  }
  return 0
}

function start(a: ArenaSegment, slot: number, cls: number): SlotCode {
  a.live++
  initHeader(a.i32, slot, cls)
  return a.id * ARENA_SIZE + slot
}

function reclaim(a: ArenaSegment, slot: number, cls: number): void {
  if (a.segment === undefined) return
  let list = a.free[cls]
  if (list === undefined) list = a.free[cls] = []
  if (list.length === 0) (partial[cls] ??= []).push(a)
  list.push(slot)
  if (--a.live === 0 && a !== current) release(a)
}

/** Moves the slots others freed in `a` onto this thread's free lists. */
function collect(a: ArenaSegment): void {
  if (a.segment === undefined) return
  const i32 = a.i32
  let slot = takeRemote(i32)
  while (slot !== 0) {
    const next = nextRemote(i32, slot)
    reclaim(a, slot, classOf(i32, slot))
    slot = next
  }
}

/** Drops a segment none of whose slots is in use: nobody can reach it any more. */
function release(a: ArenaSegment): void {
  byId.delete(a.id)
  byToken.delete(a.segment!.token)
  watcher?.dropped(a.segment!)
  a.segment = undefined
  a.i32 = EMPTY_I32
  a.u8 = EMPTY_U8
  a.free.length = 0
}

// A fork server child starts with a copy of the server's heap: its segments
// still belong to the server (and to every sibling's copy), so the child must
// never carve or free slots there. It forgets them and starts its own.
afterFork(() => {
  byId.clear()
  byToken.clear()
  partial.length = 0
  current = undefined
  top = 0
})

const EMPTY_I32 = new Int32Array(0)
const EMPTY_U8 = new Uint8Array(0)
