/**
 * Storage: the typed elements behind RawValue, RawArray, Value and SharedArray.
 *
 * How it works: `length` elements of one typecode are allocated from the
 * shared-memory arena (zeroed, aligned to the element size), and viewed with
 * the typecode's typed array. Integer elements are read and written with
 * `Atomics.load`/`Atomics.store`, which are sequentially consistent, so a
 * write in one thread or process is seen by the next read anywhere else.
 * Floats have no Atomics; they are plain loads and stores (8-byte aligned
 * doubles don't tear on x86-64 or arm64, but nothing orders them: use a lock).
 *
 * The same storage crosses threads and processes as `{ segment, offset,
 * typecode, length }`; reattaching maps the same pages.
 */
import { reserve, track } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { checkElement, typeInfo, type ArrayOf, type ElementOf, type TypeInfo, type Typecode } from './typecodes.js'

/** The fields a shared-state descriptor adds to a handle descriptor. */
export interface StorageFields {
  typecode: Typecode
  length: number
}

/** Typed elements in shared memory. */
export class Storage<C extends Typecode> {
  readonly typecode: C
  readonly info: TypeInfo
  readonly segment: Segment
  readonly offset: number
  readonly array: ArrayOf<C>
  readonly #atomic: boolean

  constructor(typecode: C, segment: Segment, offset: number, length: number) {
    this.typecode = typecode
    this.info = typeInfo(typecode)
    this.segment = segment
    this.offset = offset
    this.array = new this.info.array(segment.sab, offset, length) as ArrayOf<C>
    this.#atomic = !this.info.float
  }

  /**
   * Allocates `length` zeroed elements of `typecode`. The memory is freed
   * once `array` is collected (every handle reaches it through `array`, and
   * so may user code that kept only `.array`).
   */
  static allocate<C extends Typecode>(typecode: C, length: number): Storage<C> {
    const t = typeInfo(typecode)
    const reserved = reserve(Math.max(length, 1) * t.bytes, Math.max(t.bytes, 8))
    const storage = new Storage(typecode, reserved.segment, reserved.offset, length)
    track(storage.array, reserved)
    return storage
  }

  get length(): number {
    return this.array.length
  }

  /** Element `i` (no bounds check: callers check). */
  load(i: number): ElementOf<C> {
    return (this.#atomic ? Atomics.load(this.array as Int32Array, i) : this.array[i]) as ElementOf<C>
  }

  /** Sets element `i` (no bounds or type check: callers check). */
  store(i: number, value: ElementOf<C>): void {
    if (this.#atomic) Atomics.store(this.array as Int32Array, i, value as number)
    else this.array[i] = value as never
  }

  /** Type-checks `value`, then stores it. */
  checkedStore(i: number, value: unknown, what?: string): void {
    checkElement(this.typecode, this.info, value, what)
    this.store(i, value as ElementOf<C>)
  }

  /** The descriptor fields that, with the segment and offset, name this storage. */
  fields(): StorageFields {
    return { typecode: this.typecode, length: this.length }
  }
}

/**
 * Passed in place of an initial value to build a handle onto existing
 * storage (how revivers construct objects). Not exported from the package.
 */
export const kAttach = Symbol('skein.shared.attach')

/** Marks existing storage for a constructor to adopt. */
export interface Attach<C extends Typecode> {
  readonly [kAttach]: Storage<C>
}

export function isAttach<C extends Typecode>(value: unknown): value is Attach<C> {
  return typeof value === 'object' && value !== null && kAttach in value
}

/** Wraps existing storage so a constructor adopts it (see {@link kAttach}). */
export function attach<C extends Typecode>(storage: Storage<C>): never {
  return { [kAttach]: storage } as never
}
