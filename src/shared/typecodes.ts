/**
 * Typecodes, as in Python's `array` module: one letter names an element type.
 *
 * | code | C type             | JS element | typed array      |
 * |------|--------------------|------------|------------------|
 * | `b`  | signed char        | number     | Int8Array        |
 * | `B`  | unsigned char      | number     | Uint8Array       |
 * | `h`  | short              | number     | Int16Array       |
 * | `H`  | unsigned short     | number     | Uint16Array      |
 * | `i`  | int                | number     | Int32Array       |
 * | `I`  | unsigned int       | number     | Uint32Array      |
 * | `l`  | long (64-bit)      | bigint     | BigInt64Array    |
 * | `L`  | unsigned long      | bigint     | BigUint64Array   |
 * | `q`  | long long          | bigint     | BigInt64Array    |
 * | `Q`  | unsigned long long | bigint     | BigUint64Array   |
 * | `f`  | float              | number     | Float32Array     |
 * | `d`  | double             | number     | Float64Array     |
 *
 * `l`/`L` are 64-bit because C `long` is 64-bit on Linux (LP64), so they hold
 * bigints. Values are checked for type, not range: an out-of-range integer
 * wraps as it does in a typed array (and in ctypes).
 *
 * @example
 * import { RawValue } from 'skein'
 * const n = new RawValue('i', 1)   // n.value: number
 * const big = new RawValue('q', 1n) // big.value: bigint
 */

import { constants } from 'node:buffer'

/** V8's typed array length limit. */
const MAX_LENGTH = constants.MAX_LENGTH

/** Typecodes whose elements are bigints (64-bit integers). */
export type BigTypecode = 'l' | 'L' | 'q' | 'Q'
/** Typecodes whose elements are numbers. */
export type NumberTypecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'f' | 'd'
/** Every typecode. */
export type Typecode = BigTypecode | NumberTypecode

/** The JS type of one element of typecode `C`: `bigint` for `l L q Q`, else `number`. */
export type ElementOf<C extends Typecode> = C extends BigTypecode ? bigint : number

interface ArrayTypes {
  b: Int8Array
  B: Uint8Array
  h: Int16Array
  H: Uint16Array
  i: Int32Array
  I: Uint32Array
  l: BigInt64Array
  L: BigUint64Array
  q: BigInt64Array
  Q: BigUint64Array
  f: Float32Array
  d: Float64Array
}

/** The typed array class viewing elements of typecode `C`. */
export type ArrayOf<C extends Typecode> = ArrayTypes[C]

type AnyTypedArray = ArrayTypes[Typecode]
type TypedArrayClass = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => AnyTypedArray

/** How a typecode is stored. */
export interface TypeInfo {
  readonly array: TypedArrayClass
  readonly bytes: number
  readonly big: boolean
  readonly float: boolean
}

const info = (array: TypedArrayClass & { BYTES_PER_ELEMENT: number }, big: boolean, float: boolean): TypeInfo =>
  ({ array, bytes: array.BYTES_PER_ELEMENT, big, float })

const TYPES: Readonly<Record<Typecode, TypeInfo>> = {
  b: info(Int8Array, false, false),
  B: info(Uint8Array, false, false),
  h: info(Int16Array, false, false),
  H: info(Uint16Array, false, false),
  i: info(Int32Array, false, false),
  I: info(Uint32Array, false, false),
  l: info(BigInt64Array, true, false),
  L: info(BigUint64Array, true, false),
  q: info(BigInt64Array, true, false),
  Q: info(BigUint64Array, true, false),
  f: info(Float32Array, false, true),
  d: info(Float64Array, false, true),
}

/** Every valid typecode, in Python's order. */
export const TYPECODES: readonly Typecode[] = Object.freeze(Object.keys(TYPES) as Typecode[])

/** Returns how `typecode` is stored, or throws a TypeError listing the valid codes. */
export function typeInfo(typecode: unknown): TypeInfo {
  if (typeof typecode === 'string' && Object.hasOwn(TYPES, typecode)) return TYPES[typecode as Typecode]
  throw new TypeError(`bad typecode ${JSON.stringify(typecode) ?? String(typecode)}: it must be one of ${TYPECODES.map((c) => `'${c}'`).join(', ')}`)
}

/**
 * Throws a TypeError unless `value` fits typecode `typecode`: a bigint for
 * `l L q Q`, an integer number for `b B h H i I`, any number for `f d`.
 * Numbers are never converted to bigints (nor back): say `5n`, not `5`.
 */
export function checkElement(typecode: Typecode, t: TypeInfo, value: unknown, what = 'value'): void {
  if (t.big) {
    if (typeof value === 'bigint') return
    const hint = typeof value === 'number' && Number.isInteger(value) ? ` (e.g. ${value}n, or BigInt(x))` : ''
    throw new TypeError(`${what} must be a bigint for typecode '${typecode}' (a 64-bit integer); got ${describe(value)}: use a bigint${hint}`)
  }
  if (typeof value !== 'number') {
    const hint = typeof value === 'bigint' ? `: use a number (Number(x)), or typecode 'q' for 64-bit integers` : ''
    throw new TypeError(`${what} must be a number for typecode '${typecode}'; got ${describe(value)}${hint}`)
  }
  if (!t.float && !Number.isInteger(value)) {
    throw new TypeError(`${what} must be an integer for typecode '${typecode}'; got ${value}: round it first, or use typecode 'd' for floats`)
  }
}

/** Validates a length: a non-negative safe integer, else RangeError. */
export function checkLength(length: unknown, what = 'size'): number {
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`${what} must be a non-negative integer; got ${describe(length)}`)
  }
  return length
}

/**
 * The most elements of one typecode a shared array holds: a typed array's
 * length limit (`buffer.constants.MAX_LENGTH`), and the segment under it
 * must itself be viewable as 32-bit words.
 */
export function maxArrayLength(t: TypeInfo): number {
  return Math.min(MAX_LENGTH, Math.floor((4 * MAX_LENGTH - 64) / t.bytes))
}

/** Checks an array length: a non-negative integer within {@link maxArrayLength}, else a RangeError naming the limit. */
export function checkArrayLength(typecode: Typecode, t: TypeInfo, length: unknown, who: string): number {
  const most = maxArrayLength(t)
  if (!(Number.isInteger(length) && (length as number) > most)) return checkLength(length, `${who}: size`)
  throw new RangeError(`${who}: ${length as number} elements of ${t.bytes} byte${t.bytes === 1 ? '' : 's'} is more than one shared array holds (at most ${most} of typecode '${typecode}', ${gib(most * t.bytes)}); split the data over several arrays, or use SharedMemory`)
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 === 0 ? 0 : 1)} GiB`
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') return String(value)
  return value === null ? 'null' : typeof value
}
