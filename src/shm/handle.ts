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
 * server in between.
 */
import { Segment, type SegmentDescriptor } from './segment.js'
import { discardDescribed, type StructPlace } from './arena.js'

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
const MARK = '__skein_handle__'

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
export async function encode(value: unknown): Promise<unknown> {
  if (!needsWalk(value)) return value
  if (isShareable(value)) return { [MARK]: await value[kDescribe]() }
  if (Array.isArray(value)) return Promise.all(value.map(encode))
  if (value instanceof Map) {
    const out = new Map()
    for (const [k, v] of value) out.set(await encode(k), await encode(v))
    return out
  }
  if (value instanceof Set) {
    const out = new Set()
    for (const v of value) out.add(await encode(v))
    return out
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = await encode(v)
    return out
  }
  return value
}

/** Turns markers made by {@link encode} back into attached objects. */
export async function decode(value: unknown): Promise<unknown> {
  if (!needsWalk(value)) return value
  if (Array.isArray(value)) return Promise.all(value.map(decode))
  if (value instanceof Map) {
    const out = new Map()
    for (const [k, v] of value) out.set(await decode(k), await decode(v))
    return out
  }
  if (value instanceof Set) {
    const out = new Set()
    for (const v of value) out.add(await decode(v))
    return out
  }
  if (isPlainObject(value)) {
    const record = value as Record<string, unknown>
    const marked = record[MARK] as HandleDescriptor | undefined
    if (marked !== undefined && Object.keys(record).length === 1) return revive(marked)
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(record)) out[k] = await decode(v)
    return out
  }
  return value
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
  if (!needsWalk(value)) return value
  if (isShareable(value)) {
    const d = value[kDescribe]()
    made?.push(d)
    if (d instanceof Promise) throw new AsyncHandleError((value as object).constructor?.name ?? 'object', 'put()/send()')
    return { [MARK]: d }
  }
  const walk = (v: unknown) => encodeSync(v, made)
  if (Array.isArray(value)) return value.map(walk)
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [walk(k), walk(v)]))
  if (value instanceof Set) return new Set([...value].map(walk))
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = walk(v)
    return out
  }
  return value
}

/** The synchronous form of {@link decode}; throws {@link AsyncHandleError} for an object that attaches asynchronously. */
export function decodeSync(value: unknown): unknown {
  if (!needsWalk(value)) return value
  if (Array.isArray(value)) return value.map(decodeSync)
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [decodeSync(k), decodeSync(v)]))
  if (value instanceof Set) return new Set([...value].map(decodeSync))
  if (isPlainObject(value)) {
    const record = value as Record<string, unknown>
    const marked = record[MARK] as HandleDescriptor | undefined
    if (marked !== undefined && Object.keys(record).length === 1) {
      const out = revive(marked)
      if (!(out instanceof Promise)) return out
      out.catch(() => {}) // revived for nothing; don't leave an unhandled rejection
      throw new AsyncHandleError(marked.kind, 'get()/recv()')
    }
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(record)) out[k] = decodeSync(v)
    return out
  }
  return value
}

/** Whether `value` holds any shareable object (so it needs encode/decode). */
export function holdsShareable(value: unknown): boolean {
  if (!needsWalk(value)) return false
  if (isShareable(value)) return true
  if (Array.isArray(value)) return value.some(holdsShareable)
  if (value instanceof Map) {
    for (const [k, v] of value) if (holdsShareable(k) || holdsShareable(v)) return true
    return false
  }
  if (value instanceof Set) {
    for (const v of value) if (holdsShareable(v)) return true
    return false
  }
  return isPlainObject(value) && Object.values(value).some(holdsShareable)
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
  if (!needsWalk(value)) return
  if (Array.isArray(value)) return value.forEach(discard)
  if (value instanceof Map) {
    for (const [k, v] of value) {
      discard(k)
      discard(v)
    }
    return
  }
  if (value instanceof Set) return value.forEach(discard)
  if (!isPlainObject(value)) return
  const record = value as Record<string, unknown>
  const marked = record[MARK] as HandleDescriptor | undefined
  if (marked !== undefined && Object.keys(record).length === 1) return discardDescriptor(marked)
  for (const v of Object.values(record)) discard(v)
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

/** Whether `value` is a container a walk must look into (not a primitive, nor raw bytes). */
export function needsWalk(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer) && !(value instanceof SharedArrayBuffer)
}

/** Whether `value` is a plain object (Object.prototype or null prototype). */
export function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
