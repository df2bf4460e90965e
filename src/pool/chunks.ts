/** The automatic chunksize for `map`/`starmap`, and chunking an iterable. */
import { packNumbers } from './columns.js'

/** Python's rule: `ceil(len / (workers * 4))`, to amortize one pickled message per chunk. */
export const PYTHON_CHUNKS_PER_WORKER = 4

/**
 * Chunks per worker of a local pool's `map` when `chunksize` is not given.
 * A local pool sends several chunks in one message while the backlog is large
 * (core.ts sizes batches from it), so smaller chunks cost little and shorten
 * the tail: with Python's 4 a worker, the last chunk of a CPU-bound map whose
 * items grow costlier ran alone on one of two cores for ~10% of the run.
 */
export const POOL_CHUNKS_PER_WORKER = 16

/**
 * `ceil(len / (workers * chunksPerWorker))` (Python's rule by default); 0 items → 0.
 *
 * @example
 * import { autoChunksize, POOL_CHUNKS_PER_WORKER } from './chunks.js'
 * console.log(autoChunksize(1000, 2), autoChunksize(1000, 2, POOL_CHUNKS_PER_WORKER)) // 125 32
 */
export function autoChunksize(length: number, workers: number, chunksPerWorker = PYTHON_CHUNKS_PER_WORKER): number {
  if (length === 0) return 0
  return Math.ceil(length / (workers * chunksPerWorker))
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
