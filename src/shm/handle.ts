/**
 * Handles: how a shared object crosses a thread or process boundary.
 *
 * How it works: every shared object (Lock, Event, Value, Queue…) is a small
 * struct in a segment; the JS object is a handle onto it. A handle implements
 * `[kDescribe]()` returning a plain, cloneable descriptor (its kind, segment
 * descriptor, offset and any extra fields). `encode` walks a value (arrays,
 * plain objects, Map, Set) and swaps each handle for a marker; the result goes
 * through structured clone (postMessage or v8.serialize). `decode` on the
 * other side swaps markers back for handles attached to the same memory,
 * which is how "pass a Lock to a Process" hands over the same lock with no
 * server in between. Both directions, synchronous and not, are policies over
 * one walk (walk.ts): cycles and objects reached twice cross as structured
 * clone carries them, an own `__proto__` key stays a key, and user keys that
 * could be read as a marker are escaped (see "Markers" below).
 */
import { Segment, type SegmentDescriptor } from './segment.js'
import { discardDescribed, type StructPlace } from './arena.js'
import { copyTree, copyTreeAsync, DESCEND, isPlainObject, visitTree, type CopyPolicy } from './walk.js'

/** Implemented by every shareable object: returns its descriptor. */
export const kDescribe = Symbol.for('skein.describe')

/** The cloneable description of a shared object. */
export interface HandleDescriptor {
  kind: string
  /** Absent for objects that live outside shared memory (a FileLock is a path). */
  segment?: SegmentDescriptor
  offset?: number
  [extra: string]: unknown
}

/** A descriptor of an object in shared memory. */
export interface StructDescriptor extends HandleDescriptor {
  segment: SegmentDescriptor
  offset: number
}

/** Something that can be handed to another thread or process. */
export interface Shareable {
  [kDescribe](): HandleDescriptor | Promise<HandleDescriptor>
}

type Reviver = (d: StructDescriptor, segment: Segment) => object | Promise<object>
type PlainReviver = (d: HandleDescriptor) => object | Promise<object>

const revivers = new Map<string, Reviver>()
const plainRevivers = new Map<string, PlainReviver>()
/** Registers how descriptors of `kind` (objects in shared memory) become objects again. */
export function registerKind(kind: string, revive: Reviver): void {
  revivers.set(kind, revive)
}

/** Registers a kind whose descriptor carries no segment. */
export function registerPlainKind(kind: string, revive: PlainReviver): void {
  plainRevivers.set(kind, revive)
}

export function isShareable(value: unknown): value is Shareable {
  return typeof value === 'object' && value !== null && kDescribe in value
}

/** Replaces every shareable object inside `value` with a cloneable marker. */
export function encode(value: unknown): Promise<unknown> {
  return copyTreeAsync(value, encoding(false))
}

/**
 * Turns markers made by {@link encode} back into attached objects. `admit`,
 * for values from outside the program (Redis), sees each descriptor first
 * and returns the one to revive, or throws to refuse it.
 */
export function decode(value: unknown, admit?: (d: HandleDescriptor) => HandleDescriptor): Promise<unknown> {
  return copyTreeAsync(value, decoding(false, admit))
}

/** Attaches the object a descriptor names. */
export function revive(d: HandleDescriptor): object | Promise<object> {
  const plain = plainRevivers.get(d.kind)
  if (plain !== undefined) return plain(d)
  const reviver = revivers.get(d.kind)
  if (reviver === undefined || d.segment === undefined || d.offset === undefined) {
    throw new TypeError(`cannot rebuild a shared '${d.kind}' here: its module was not loaded. Import it from 'skein' (the package root) so every kind registers`)
  }
  return reviver(d as StructDescriptor, Segment.attach(d.segment))
}

/**
 * A shared object met by {@link encodeSync} / {@link decodeSync} describes
 * itself or attaches only asynchronously (a Value, a Barrier with an action,
 * a cluster object): the caller takes the async path or says which to use.
 */
export class AsyncHandleError extends TypeError {
  constructor(readonly kind: string, form: string) {
    super(`a shared ${kind} can't cross through a blocking (*Sync) call: it attaches asynchronously. Use the async ${form} for items that hold one`)
  }
}

/**
 * The synchronous forms of {@link encode} / {@link revive}, for the blocking
 * calls of queues and pipes (`putSync`, `getSync`). Objects whose description
 * or revival is asynchronous throw {@link AsyncHandleError}. Every descriptor
 * made (or its promise) goes into `made` when given, so a caller that gives up
 * can release their references.
 */
export function encodeSync(value: unknown, made?: unknown[]): unknown {
  return copyTree(value, encoding(true, made))
}

/** The synchronous form of {@link decode}; throws {@link AsyncHandleError} for an object that attaches asynchronously. */
export function decodeSync(value: unknown): unknown {
  return copyTree(value, decoding(true))
}

/** Whether `value` holds any shareable object (so it needs encode/decode). */
export function holdsShareable(value: unknown): boolean {
  return visitTree(value, (node) => (isShareable(node) ? 'stop' : undefined))
}

/**
 * Gives back what an encoded value holds, for one that will never be
 * decoded (a put that failed after encoding, a queue dropped with items in
 * it): each shared object's descriptor holds a reference on its struct that
 * only an attach or this releases (see arena.ts). Not doing it leaks the
 * structs (never frees them early). Each encoded value must be decoded or
 * discarded at most once.
 */
export function discard(value: unknown): void {
  visitTree(value, (node) => {
    let d: HandleDescriptor | undefined
    try {
      d = markedIn(node)
    } catch {
      return 'skip' // a damaged marker holds nothing we could give back
    }
    if (d === undefined) return
    discardDescriptor(d)
    return 'skip'
  })
}

/** Releases one descriptor's reference, and those of descriptors nested in it (a Value's lock). */
function discardDescriptor(d: HandleDescriptor): void {
  for (const v of Object.values(d)) {
    if (typeof v === 'object' && v !== null && 'kind' in v) discardDescriptor(v as HandleDescriptor)
  }
  if (d.segment === undefined || d.offset === undefined || d.counted !== true) return
  try {
    discardDescribed(d as StructDescriptor & StructPlace, Segment.attach(d.segment))
  } catch {
    // Nobody holds the segment any more: nothing left to give back.
  }
}

/*
 * Markers. A shared object crosses as `{ [MARK]: descriptor }`: an object
 * with that one own key. A user's own key that could be read as one (MARK,
 * or MARK followed by '$'s) gets one more '$' on the way out and loses it on
 * the way in, so after encoding no user object has the key MARK, and a user
 * object `{ __skein_handle__: … }` comes back as it went, never revived.
 */
const MARK = '__skein_handle__'
const MARKISH = /^__skein_handle__\$*$/

function escapeKey(key: string): string {
  return key.length >= MARK.length && MARKISH.test(key) ? `${key}$` : key
}

function unescapeKey(key: string): string {
  return key.length > MARK.length && MARKISH.test(key) ? key.slice(0, -1) : key
}

/** The descriptor a marker holds, or undefined for any other node. */
function markedIn(node: object): HandleDescriptor | undefined {
  if (!isPlainObject(node) || !Object.hasOwn(node, MARK)) return undefined
  const d = node[MARK] as HandleDescriptor
  if (Object.keys(node).length !== 1 || typeof d !== 'object' || d === null || typeof d.kind !== 'string') {
    throw new TypeError('a shared object marker is malformed (the value was damaged on the way, or not made by encode()); send the value again from its sender')
  }
  return d
}

/**
 * The copy policy of {@link encode} (`sync` false) and {@link encodeSync}
 * (`sync` true: an asynchronous description is an AsyncHandleError). `made`
 * collects every descriptor made (or its promise), for a caller that gives up.
 */
function encoding(sync: boolean, made?: unknown[]): CopyPolicy {
  return {
    leaf(node) {
      if (!isShareable(node)) return DESCEND
      const d = node[kDescribe]()
      made?.push(d)
      if (!(d instanceof Promise)) return { [MARK]: d }
      if (sync) throw new AsyncHandleError(node.constructor?.name ?? 'object', 'put()/send()')
      return d.then((x) => ({ [MARK]: x }))
    },
    key: escapeKey,
  }
}

/** The copy policy of {@link decode} and {@link decodeSync} (`sync`: an asynchronous attach is an AsyncHandleError). */
function decoding(sync: boolean, admit?: (d: HandleDescriptor) => HandleDescriptor): CopyPolicy {
  return {
    leaf(node) {
      const d = markedIn(node)
      if (d === undefined) return DESCEND
      const out = revive(admit === undefined ? d : admit(d))
      if (!sync || !(out instanceof Promise)) return out
      out.catch(() => {}) // revived for nothing; don't leave an unhandled rejection
      throw new AsyncHandleError(d.kind, 'get()/recv()')
    },
    key: unescapeKey,
  }
}
