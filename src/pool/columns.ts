/**
 * Map chunks of plain numbers cross as one `Float64Array` each way.
 *
 * Why: profiling `Pool(2).map(square, 100,000 items)` showed the time going to
 * per-item work on generic arrays, not to messages: the queue's codec walks
 * every element twice in JavaScript (the JSON-exact check, the search for
 * shared objects) before `v8.serialize` tags each one, the receiver
 * deserializes item by item and allocates a heap number per non-small
 * integer, and in a fresh worker process all of that runs in cold, not yet
 * optimized code. A `Float64Array` is one copy of bytes: the codec does not
 * walk into it, structured clone copies it whole, and results written
 * straight into one allocate nothing per item. A float64 holds every JS
 * number exactly (-0 and NaN included), so nothing changes for the user.
 *
 * Only a map/starmap chunk's item list or value list is ever packed; a task's
 * own return value (`apply`) is never touched, so a user's Float64Array still
 * arrives as what it was.
 */

/** Smaller chunks gain nothing from packing (one message is one message). */
const MIN_PACKED = 16

/**
 * The numbers of `items[from, to)` as a Float64Array, or undefined when one
 * of them is not a number (or the slice is too short to gain).
 *
 * @example
 * import { packNumbers } from './columns.js'
 * console.log(packNumbers([1, 2.5, -0], 0, 3, 1)) // Float64Array(3) [ 1, 2.5, -0 ]
 * console.log(packNumbers([1, 'a'], 0, 2, 1))     // undefined
 */
export function packNumbers(items: readonly unknown[], from: number, to: number, min = MIN_PACKED): Float64Array | undefined {
  if (to - from < min || typeof items[from] !== 'number') return undefined
  const packed = new Float64Array(to - from)
  for (let i = from; i < to; i++) {
    const v = items[i]
    if (typeof v !== 'number') return undefined
    packed[i - from] = v
  }
  return packed
}

/**
 * Calls `fn` on every item of a map chunk: the values as a Float64Array while
 * every value is a number, else as an array (promises included: the caller
 * awaits them).
 *
 * @example
 * import { mapChunk } from './columns.js'
 * console.log(mapChunk((x: number) => x * 2, new Float64Array([1, 2]))) // Float64Array(2) [ 2, 4 ]
 * console.log(mapChunk(String, [1, 2]))                                  // [ '1', '2' ]
 */
export function mapChunk(fn: (item: unknown) => unknown, items: ArrayLike<unknown>): Float64Array | unknown[] {
  const n = items.length
  if (n < MIN_PACKED) return Array.from(items, (item) => fn(item))
  const packed = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const v = fn(items[i])
    if (typeof v === 'number') {
      packed[i] = v
      continue
    }
    // A value that is not a number: the chunk's values go as an ordinary array.
    const values = new Array<unknown>(n)
    for (let j = 0; j < i; j++) values[j] = packed[j]
    values[i] = v
    for (let j = i + 1; j < n; j++) values[j] = fn(items[j])
    return values
  }
  return packed
}
