/**
 * One line of a benchmark report: skein against the closest peer library.
 *
 * @example
 * import type { BenchRow } from './row.ts'
 * const row: BenchRow = { name: 'TaskPool(8).map', skein: 9e6, peer: 3e5, peerName: 'p-limit(8)', unit: 'ops/s', goal: '>= 1.5x p-limit', limit: 1.5 }
 */
export type BenchRow = {
  /** What was measured. */
  name: string
  /** skein's result, in `unit`. */
  skein: number
  /** The peer's result, in `unit`. */
  peer: number
  /** The peer library (and its configuration). */
  peerName: string
  /** `ns/op`: lower is better; `ops/s`, `MB/s` and `speed-up`: higher is better. */
  unit: 'ns/op' | 'ops/s' | 'MB/s' | 'speed-up'
  /** The target, in words, e.g. `'>= 1.5x p-limit'`. */
  goal: string
  /**
   * The goal as a bound on skein/peer: at most `limit` for `ns/op`, at least
   * `limit` for `ops/s` and `speed-up`. Absent: the row is for information.
   */
  limit?: number
}
