/**
 * RawArray: a fixed-length array of typed numbers in shared memory, without a lock.
 */
import { kDescribe, registerKind, type HandleDescriptor } from '../shm/handle.js'
import { describe, storageOf } from './raw-value.js'
import { Storage, attach, isAttach, kAttach } from './storage.js'
import { checkArrayLength, checkElement, typeInfo, type ArrayOf, type ElementOf, type Typecode } from './typecodes.js'
import { Indexed } from './indexed.js'

/** A length (zero-filled), or the initial elements. */
export type SizeOrValues<C extends Typecode> = number | Iterable<ElementOf<C>> | ArrayLike<ElementOf<C>>

/**
 * A fixed-length array of one C type in shared memory, with no lock
 * (Python's `multiprocessing.sharedctypes.RawArray`).
 *
 * `.array` is a typed array over the shared memory itself: index it, use
 * `Atomics` on it, or `set()` whole ranges — every thread and process that
 * received this array sees the writes. `a[i]`, `a[i] = x`, `get(i)` and
 * `set(i, x)` add bounds and type checks (negative indexes count from the
 * end, as in Python) and use `Atomics.load`/`store` for integer codes. Nothing here
 * makes a sequence of operations atomic: use a {@link SharedArray} and
 * `withLock` for that.
 *
 * @example
 * import { RawArray } from 'skein'
 * const a = new RawArray('d', [0.5, 1.5, 2.5])
 * a.set(0, 10)
 * a[1] = 20
 * console.log(a.length, a.get(0), a[-1], [...a]) // 3 10 2.5 [ 10, 20, 2.5 ]
 */
export class RawArray<C extends Typecode = Typecode> extends Indexed implements Iterable<ElementOf<C>> {
  /** `a[i]` is `a.get(i)`, `a[i] = x` is `a.set(i, x)` (indexed.ts). */
  [index: number]: ElementOf<C>
  readonly #storage: Storage<C>

  /**
   * @param typecode one of `b B h H i I l L q Q f d`.
   * @param sizeOrValues a length (elements start at zero) or the initial elements.
   */
  constructor(typecode: C, sizeOrValues: SizeOrValues<C>) {
    super()
    if (isAttach<C>(sizeOrValues)) {
      this.#storage = sizeOrValues[kAttach]
      return
    }
    const t = typeInfo(typecode)
    const who = `${new.target.name}('${typecode}', ${typeof sizeOrValues === 'number' ? sizeOrValues : '[…]'})`
    if (typeof sizeOrValues === 'number') {
      this.#storage = Storage.allocate(typecode, checkArrayLength(typecode, t, sizeOrValues, who))
      return
    }
    if (typeof sizeOrValues !== 'object' || sizeOrValues === null) {
      throw new TypeError(`sizeOrValues must be a length or an array of initial values; got ${typeof sizeOrValues}`)
    }
    const values: unknown[] = Symbol.iterator in sizeOrValues ? [...sizeOrValues] : Array.from(sizeOrValues)
    values.forEach((v, i) => checkElement(typecode, t, v, `element ${i}`))
    this.#storage = Storage.allocate(typecode, checkArrayLength(typecode, t, values.length, who))
    values.forEach((v, i) => this.#storage.store(i, v as ElementOf<C>))
  }

  /** The typecode this array was created with. */
  get typecode(): C {
    return this.#storage.typecode
  }

  /** A typed array over the shared memory (not a copy). */
  get array(): ArrayOf<C> {
    return this.#storage.array
  }

  /** The number of elements. */
  get length(): number {
    return this.#storage.length
  }

  /** Element `index` (negative counts from the end, as in Python); RangeError outside. */
  get(index: number): ElementOf<C> {
    return this.#storage.load(this.#index(index))
  }

  /** Sets element `index` (negative counts from the end), type-checked. */
  set(index: number, value: ElementOf<C>): void {
    this.#storage.checkedStore(this.#index(index), value)
  }

  /** A copy of the elements as a plain array. */
  toArray(): ElementOf<C>[] {
    return [...this]
  }

  *[Symbol.iterator](): Iterator<ElementOf<C>> {
    for (let i = 0; i < this.#storage.length; i++) yield this.#storage.load(i)
  }

  /** The cloneable descriptor `encode` sends to another thread or process. */
  [kDescribe](): HandleDescriptor | Promise<HandleDescriptor> {
    return describe('skein.RawArray', this.#storage)
  }

  override toString(): string {
    return `${this.constructor.name}('${this.typecode}', [${this.toArray().join(', ')}])`
  }

  #index(index: number): number {
    const n = this.#storage.length
    const i = Number.isInteger(index) && index < 0 ? index + n : index
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new RangeError(`index ${index} is out of range for an array of length ${n}`)
    }
    return i
  }
}

registerKind('skein.RawArray', (d, segment) => new RawArray(d.typecode as Typecode, attach(storageOf(d, segment))))
