/**
 * The common bench harness: timing helpers, Python peers, ratios and the
 * table. Every bench file returns `BenchRow[]` and is runnable alone.
 *
 * Method, shared by all rows: warm up, then several rounds; a figure is the
 * median of the rounds. A ratio compares skein with its peer *measured in
 * the same run*: for `ns/op` it is skein time / peer time (lower is better),
 * for `ops/s` and `speed-up` it is skein / peer (higher is better).
 *
 * @example
 * import { median, formatTable } from './harness.ts'
 * console.log(median([3, 1, 2])) // 2
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import type { BenchRow } from './row.ts'

/** The directory holding the Python peers. */
export const PYTHON_DIR = fileURLToPath(new URL('./python/', import.meta.url))

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1] as number
}

/** Runs `fn` `rounds` times (after one warm-up call) and returns the median result. */
export function medianOf(rounds: number, fn: () => number): number {
  fn()
  const out: number[] = []
  for (let r = 0; r < rounds; r++) out.push(fn())
  return median(out)
}

/** Async form of `medianOf`. */
export async function medianOfAsync(rounds: number, fn: () => Promise<number>): Promise<number> {
  await fn()
  const out: number[] = []
  for (let r = 0; r < rounds; r++) out.push(await fn())
  return median(out)
}

/** Waits `ms` milliseconds (lets a warm spare boot, or the machine go quiet). */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** A monotonic clock in ns that every process on the machine shares (CLOCK_MONOTONIC). */
export function monoNs(): number {
  return Number(process.hrtime.bigint())
}

/**
 * Runs `bench/python/<script>` with `python3` and returns its JSON output
 * (each script prints one JSON object on stdout, and nothing else).
 */
export function runPython<T = Record<string, number>>(script: string, args: Array<string | number> = []): T {
  const out = execFileSync('python3', [join(PYTHON_DIR, script), ...args.map(String)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 })
  return JSON.parse(out.trim().split('\n').pop() as string) as T
}

/** skein / peer, oriented so that the goal reads the same way: see the file header. */
export function ratio(row: BenchRow): number {
  return row.skein / row.peer
}

/** '✓', '✗', or '–' for a row without a numeric goal. */
export function verdict(row: BenchRow): string {
  if (row.limit === undefined) return '–'
  const r = ratio(row)
  return (row.unit === 'ns/op' ? r <= row.limit : r >= row.limit) ? '✓' : '✗'
}

/** A figure with a readable unit: ns/op scaled to µs or ms; ops/s in k or M. */
export function formatFigure(value: number, unit: BenchRow['unit']): string {
  if (unit === 'ns/op') {
    if (value >= 1e6) return `${(value / 1e6).toFixed(1)} ms`
    if (value >= 1e4) return `${(value / 1e3).toFixed(1)} µs`
    if (value >= 1e3) return `${(value / 1e3).toFixed(2)} µs`
    return `${value.toFixed(value >= 100 ? 0 : 1)} ns`
  }
  if (unit === 'speed-up') return `${value.toFixed(2)}x`
  if (unit === 'MB/s') return `${value.toFixed(0)} MB/s`
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M/s`
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} k/s`
  return `${value.toFixed(0)}/s`
}

/** The ratio with its reading, e.g. `0.21x time` or `3.4x throughput`. */
export function formatRatio(row: BenchRow): string {
  const r = ratio(row)
  const digits = r < 0.1 ? 3 : 2
  const kind = row.unit === 'ns/op' ? 'time' : row.unit === 'speed-up' ? 'speed-up' : 'throughput'
  return `${r.toFixed(digits)}x ${kind}`
}

/** Rows as a Markdown table (also readable on a terminal). */
export function formatTable(rows: BenchRow[]): string {
  const head = ['workload', 'skein', 'peer', 'peer figure', 'ratio (skein/peer)', 'goal', '']
  const lines = rows.map((row) => [row.name, formatFigure(row.skein, row.unit), row.peerName, formatFigure(row.peer, row.unit), formatRatio(row), row.goal, verdict(row)])
  return [head, head.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
}

/** Prints the rows of a bench file run on its own. */
export function printRows(rows: BenchRow[]): void {
  console.log(formatTable(rows))
}

/** Whether the module with this `import.meta.url` is the script node was started with. */
export function isEntry(url: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1]
}
