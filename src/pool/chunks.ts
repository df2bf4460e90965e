/** Python's automatic chunksize for `map`/`starmap`, and chunking an iterable. */
import { packNumbers } from './columns.js'

/**
 * Python's rule: `divmod(len(items), workers * 4)`, rounded up; 0 items → 0.
 *
 * @example
 * import { autoChunksize } from './chunks.js'
 * console.log(autoChunksize(1000, 2)) // 125
 */
export function autoChunksize(length: number, workers: number): number {
  if (length === 0) return 0
  return Math.ceil(length / (workers * 4))
}

/** Checks a user-given chunksize (a positive integer) or returns undefined for "automatic". */
export function checkChunksize(chunksize: unknown, where: string): number | undefined {
  if (chunksize === undefined || chunksize === null) return undefined
  if (typeof chunksize !== 'number' || !Number.isInteger(chunksize) || chunksize < 1) {
    throw new RangeError(`${where}: chunksize must be a positive integer (got ${String(chunksize)}); omit it for the automatic size`)
  }
  return chunksize
}

/** The items of a (sync) iterable as an array; a clear TypeError otherwise. */
export function toArray<T>(iterable: Iterable<T>, where: string): T[] {
  if (Array.isArray(iterable)) return iterable
  if (iterable === null || iterable === undefined || typeof (iterable as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${where}: expected an iterable of items (an array, a Set, a generator…), got ${iterable === null ? 'null' : typeof iterable}`)
  }
  return [...iterable]
}

/** Splits `items` into slices of `size`; with `pack`, a slice of plain numbers becomes a Float64Array (columns.ts). */
export function slices<T>(items: readonly T[], size: number, pack = false): Array<T[] | Float64Array> {
  const out: Array<T[] | Float64Array> = []
  for (let i = 0; i < items.length; i += size) {
    const end = Math.min(items.length, i + size)
    out.push((pack ? packNumbers(items, i, end) : undefined) ?? items.slice(i, end))
  }
  return out
}
