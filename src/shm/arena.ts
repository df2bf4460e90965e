/**
 * The arena: where shared structs (a Lock is 20 bytes) live, and how their
 * memory comes back.
 *
 * How it works. A struct is a slot in a 1 MiB per-thread arena segment
 * (free-lists.ts), so creating one costs no system call. Its header counts
 * REFS (slot-header.ts), the references that keep it:
 * - the creator's handle (1 at creation);
 * - one per descriptor in flight: {@link describeStruct} adds it before a
 *   descriptor leaves, so the struct outlives its sender's handles;
 * - one per *other* thread holding handles: attaching a descriptor
 *   ({@link reviveAt}, {@link adopt}) turns its in-flight reference into
 *   this thread's, or drops it if this thread already holds the struct.
 * A FinalizationRegistry in every thread drops the thread's reference once
 * its last handle is collected (an idle thread collects once to get there:
 * sweep.ts); at a thread's or process's exit, every reference it holds on
 * others' structs is dropped. Whoever drops the last
 * reference frees the slot: onto the owning thread's free list, through the
 * segment's remote-free list when the owner is another thread or process.
 *
 * What leaks (by design, bounded): a struct whose descriptor was never
 * attached (the receiver died first, or a send failed), and the references
 * of a thread or process that was killed or terminated (its exit hooks never
 * ran) — one slot each, in a segment that goes away with its last holder.
 * Leaking is always preferred to freeing early: a slot is reused only when
 * every count says nobody can touch it.
 *
 * Structs of 64 KiB or more get a segment of their own, which the kernel
 * frees when the last process maps it no more.
 */
import { Segment, SEGMENT_HEADER, type SegmentDescriptor } from './segment.js'
import { HEADER, addRef, dropRef } from './slot-header.js'
import { giveBack, giveBackOwn, segmentOf, setGrowHook, slotOf, take, wordsOf, type SlotCode } from './free-lists.js'
import { collectSoon, noteAttach } from './sweep.js'
import { afterFork } from './after-fork.js'

const BIG = 64 * 1024

/** A place in shared memory: a segment and a byte offset into it. */
export interface Slot {
  segment: Segment
  offset: number
}

/** A slot taken for a new struct, not yet bound to the object that keeps it. */
export interface Reserved extends Slot {
  /** The arena's name for the slot; 0 for a segment of its own. */
  code: SlotCode
}

/** The descriptor fields that name a struct (spread into a handle's descriptor). */
export interface StructPlace {
  segment: SegmentDescriptor
  offset: number
  /** Present when the descriptor holds a reference on the struct (see {@link describeStruct}). */
  counted?: true
}

/**
 * Allocates `bytes` of zeroed shared memory aligned to `align` (at most 8)
 * that is never freed. For internal control blocks only; shared objects use
 * {@link claimSlot}.
 */
export function allocate(bytes: number, align = 8): Slot {
  const { segment, offset } = reserve(bytes, align)
  return { segment, offset }
}

/**
 * Takes a zeroed slot for a new struct of `bytes`, holding one reference
 * that {@link track} hands to the object keeping the memory.
 */
export function reserve(bytes: number, align = 8): Reserved {
  if (align > 8) throw new RangeError(`arena: alignment ${align} is not supported (at most 8)`)
  if (bytes >= BIG) {
    const segment = Segment.create(SEGMENT_HEADER + 16 + bytes)
    return { segment, offset: SEGMENT_HEADER + 16, code: 0 }
  }
  const code = take(bytes)
  return { segment: segmentOf(code), offset: slotOf(code) + HEADER, code }
}

/**
 * Binds a reserved slot to `keeper`: when `keeper` is collected, the
 * creator's reference is dropped. `keeper` must be what every user of the
 * memory reaches it through (the handle, or the typed array a handle exposes).
 */
export function track(keeper: object, reserved: Reserved): void {
  if (reserved.code === 0) return
  created.register(keeper, reserved.code)
  unfinalized++
}

/** Structs registered since finalizers last ran: past a segment's worth, growth may be garbage. */
let unfinalized = 0
const MANY_UNFINALIZED = 16_384

setGrowHook(() => {
  if (unfinalized > MANY_UNFINALIZED) collectSoon()
})

/** How a struct being attached is counted: not at all (embedded), taking over a descriptor's reference, or joining this thread's. */
type AttachMode = 'embedded' | 'counted' | 'join'

let attaching: { slot: Slot; mode: AttachMode } | undefined
/** Descriptor objects this thread already attached (a retried decode must not take their reference twice). */
const attachedDescriptors = new WeakSet<object>()
const embedded = new WeakSet<object>()

/** A claimed slot, and the keeper its handle must hold. */
export interface Claimed extends Slot {
  /** False when the object is being rebuilt over an existing struct. */
  fresh: boolean
  /**
   * A small object the handle keeps in a private field, and passes to
   * {@link describeStruct}: the struct's reference is dropped when the
   * keeper is collected, i.e. once the handle is. (A keeper rather than the
   * handle itself: V8 keeps a FinalizationRegistry's targets through minor
   * collections, and a handle with its closures is costly to promote.)
   */
  keeper: object
}

/**
 * The slot a shared object's constructor should use: the existing struct
 * when the object is being rebuilt by {@link reviveAt} or {@link attachAt},
 * else fresh memory. This keeps public constructors free of internal
 * parameters.
 */
export function claimSlot(bytes: number, align = 8): Claimed {
  const pending = attaching
  attaching = undefined
  const keeper = {}
  if (pending === undefined) {
    const reserved = reserve(bytes, align)
    track(keeper, reserved)
    return { segment: reserved.segment, offset: reserved.offset, fresh: true, keeper }
  }
  const { segment, offset } = pending.slot
  if (pending.mode === 'embedded') embedded.add(keeper)
  else adopt(keeper, segment, offset, pending.mode === 'counted')
  return { segment, offset, fresh: false, keeper }
}

/**
 * Builds an object over a struct embedded in memory the arena does not
 * manage (say, the Lock inside a queue's segment): no reference counting,
 * the memory lives as long as its segment. `make` runs the constructor.
 */
export function attachAt<T>(slot: Slot, make: () => T): T {
  return build(slot, 'embedded', make)
}

/** Builds the object a received descriptor names: `make` runs its constructor. */
export function reviveAt<T>(d: StructPlace, segment: Segment, make: () => T): T {
  return build({ segment, offset: d.offset }, d.counted !== true ? 'embedded' : firstAttach(d) ? 'counted' : 'join', make)
}

/**
 * Whether this is the first attach of descriptor `d` in this thread (then it
 * takes over the descriptor's reference). A decode retried on the same
 * descriptors (say, after loading a module) attaches them again: those
 * handles join this thread's reference instead of taking it twice.
 */
export function firstAttach(d: object): boolean {
  if (attachedDescriptors.has(d)) return false
  attachedDescriptors.add(d)
  return true
}

function build<T>(slot: Slot, mode: AttachMode, make: () => T): T {
  attaching = { slot, mode }
  try {
    return make()
  } finally {
    attaching = undefined
  }
}

/**
 * The fields naming a struct in a descriptor about to leave this thread
 * (`keeper`: what the handle got from {@link claimSlot}, or what it passed to
 * {@link track}). Counts a reference for the descriptor in flight, which
 * whoever attaches it takes over: the struct can't be freed before then.
 */
export function describeStruct(keeper: object, segment: Segment, offset: number): StructPlace {
  if (embedded.has(keeper)) return { segment: segment.describe(), offset }
  addRef(segment.i32, offset - HEADER)
  return { segment: segment.describe(), offset, counted: true }
}

/**
 * Takes over the reference of a received descriptor for `keeper` (a handle
 * just built over it, or the typed array it exposes): the first handle of
 * this thread keeps the reference, later ones give it back.
 */
export function adopt(keeper: object, segment: Segment, offset: number, takesReference = true): void {
  const slot = offset - HEADER
  const key = `${segment.token}:${slot}`
  let hold = held.get(key)
  if (hold === undefined) {
    if (!takesReference) {
      throw new Error('skein: a shared object\'s descriptor was attached again after every handle of its first attach was collected; attach each descriptor once')
    }
    hold = { key, segment, slot, handles: 0 }
    held.set(key, hold)
    if (!exitHooked) {
      exitHooked = true
      process.on('exit', dropAllHeld)
    }
  } else if (takesReference) {
    dropRef(segment.i32, slot) // this thread already holds one; never the last
  }
  hold.handles++
  attached.register(keeper, hold)
  noteAttach(holding)
}

const holding = (): boolean => held.size > 0

/**
 * Gives back the reference a descriptor made by {@link describeStruct}
 * holds, for a descriptor that will never be attached (a failed send).
 */
export function discardDescribed(d: StructPlace, segment: Segment): void {
  if (d.counted !== true) return
  const slot = d.offset - HEADER
  if (dropRef(segment.i32, slot)) giveBack(segment, slot)
}

/** One struct this thread attached: its handles here share one reference. */
interface Hold {
  key: string
  segment: Segment
  slot: number
  handles: number
  /** Set in a fork server child for the server's holds: the server drops them, not the copy. */
  inherited?: true
}

const held = new Map<string, Hold>()
let exitHooked = false

const created = new FinalizationRegistry<SlotCode>((code) => {
  unfinalized = 0
  const i32 = wordsOf(code)
  if (i32 !== undefined && dropRef(i32, slotOf(code))) giveBackOwn(code)
})

const attached = new FinalizationRegistry<Hold>((hold) => {
  if (hold.inherited === true || --hold.handles > 0) return
  if (held.get(hold.key) === hold) held.delete(hold.key)
  if (dropRef(hold.segment.i32, hold.slot)) giveBack(hold.segment, hold.slot)
})

/** At exit, this thread's references on structs it attached go (their owners may live on). */
function dropAllHeld(): void {
  for (const hold of held.values()) {
    if (dropRef(hold.segment.i32, hold.slot)) giveBack(hold.segment, hold.slot)
  }
  held.clear()
}

// A fork server child inherits the server's handles and tables but none of
// its references: finalizers of the copies must not drop the server's. (The
// creator's registrations are voided by free-lists.ts forgetting the
// server's segments.) The child's own attaches count as usual.
afterFork(() => {
  for (const hold of held.values()) hold.inherited = true
  held.clear()
  unfinalized = 0
})

/** Structs this thread holds through attached handles (for tests and diagnostics). */
export function heldStructs(): number {
  return held.size
}
