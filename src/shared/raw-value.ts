/**
 * RawValue: one typed number in shared memory, without a lock.
 */
import { kDescribe, registerKind, type HandleDescriptor, type StructDescriptor } from '../shm/handle.js'
import { adopt, describeStruct, firstAttach } from '../shm/arena.js'
import { Storage, attach, isAttach, kAttach } from './storage.js'
import { checkElement, typeInfo, type ArrayOf, type ElementOf, type Typecode } from './typecodes.js'

/**
 * One number (or bigint) of a fixed C type in shared memory, with no lock
 * (Python's `multiprocessing.sharedctypes.RawValue`).
 *
 * Passing it to a thread or process hands over the same memory: a write on
 * either side is seen by the other. Integer reads and writes are atomic
 * (`Atomics.load`/`store`); `f` and `d` are plain loads and stores.
 * Read-modify-write such as `v.value += 1` is never atomic: use a
 * {@link Value} and `withLock`, or `Atomics.add(v.array, 0, 1)`.
 * The initial value and every assignment are type-checked: a bigint for
 * `l L q Q` (say `5n`), an integer for `b B h H i I`; out-of-range integers
 * wrap like a typed array's.
 *
 * @example
 * import { RawValue } from 'skein'
 * const hits = new RawValue('i', 0)
 * hits.value = 41
 * Atomics.add(hits.array, 0, 1)
 * console.log(hits.value) // 42
 */
export class RawValue<C extends Typecode = Typecode> {
  readonly #storage: Storage<C>

  /**
   * @param typecode one of `b B h H i I l L q Q f d` (see typecodes.ts).
   * @param initial the starting value (default 0, or 0n for bigint codes).
   */
  constructor(typecode: C, initial?: ElementOf<C>) {
    if (isAttach<C>(initial)) {
      this.#storage = initial[kAttach]
      return
    }
    const t = typeInfo(typecode)
    const value = initial ?? ((t.big ? 0n : 0) as ElementOf<C>)
    checkElement(typecode, t, value, 'the initial value')
    this.#storage = Storage.allocate(typecode, 1)
    this.#storage.store(0, value)
  }

  /** The typecode this value was created with. */
  get typecode(): C {
    return this.#storage.typecode
  }

  /** The current value. Setting it type-checks, then stores atomically (integers). */
  get value(): ElementOf<C> {
    return this.#storage.load(0)
  }

  set value(v: ElementOf<C>) {
    this.#storage.checkedStore(0, v)
  }

  /** A one-element typed array over the same memory, e.g. for `Atomics.add`. */
  get array(): ArrayOf<C> {
    return this.#storage.array
  }

  /** Always 1 (a value is a one-element array). */
  get length(): number {
    return 1
  }

  /** The cloneable descriptor `encode` sends to another thread or process. */
  [kDescribe](): HandleDescriptor | Promise<HandleDescriptor> {
    return describe('skein.RawValue', this.#storage)
  }

  toString(): string {
    return `${this.constructor.name}('${this.typecode}', ${String(this.value)})`
  }
}

/** The descriptor of `storage` under `kind`, plus `extra` fields. */
export function describe(kind: string, storage: Storage<Typecode>, extra: Record<string, unknown> = {}): StructDescriptor {
  return { kind, ...describeStruct(storage.array, storage.segment, storage.offset), ...storage.fields(), ...extra }
}

/** Rebuilds the storage a descriptor names on an attached segment (taking over the descriptor's reference). */
export function storageOf(d: StructDescriptor, segment: Storage<Typecode>['segment']): Storage<Typecode> {
  const storage = new Storage(d.typecode as Typecode, segment, d.offset, d.length as number)
  if (d.counted === true) adopt(storage.array, segment, d.offset, firstAttach(d))
  return storage
}

registerKind('skein.RawValue', (d, segment) => new RawValue(d.typecode as Typecode, attach(storageOf(d, segment))))
