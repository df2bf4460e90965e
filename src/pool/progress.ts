/**
 * The progress of `map(…, { progress })` and friends. `progress: true`
 * draws a cli-progress bar (a maintained package) on stderr with rate and
 * ETA, only when stdout is a TTY — piped or redirected output gets nothing.
 * `progress: (p) => …` is called instead, TTY or not, each time items are
 * done: `{ done, total }` (for an imap over a source of unknown length,
 * `total` is what has been read so far). A callback that throws is printed
 * on stderr; the work goes on.
 */
import { createRequire } from 'node:module'

/**
 * What a progress callback is told.
 *
 * @example
 * import { ThreadPool } from 'skein'
 * import { square } from './work.js'
 * await using pool = new ThreadPool({ threads: 2 })
 * await pool.map(square, [1, 2, 3, 4], { chunksize: 2, progress: ({ done, total }) => console.log(`${done}/${total}`) }) // 2/4, 4/4
 */
export interface PoolProgress {
  /** Items done (a failed item counts: it is finished). */
  done: number
  /** Items to do, as far as known. */
  total: number
}

/**
 * `true` (a bar on a TTY) or a callback.
 *
 * @example
 * import type { ProgressOption } from 'skein'
 * const progress: ProgressOption = process.stdout.isTTY ? true : ({ done, total }) => console.log(`${done}/${total}`)
 */
export type ProgressOption = boolean | ((progress: PoolProgress) => void)

interface Bar {
  start(total: number, value: number, payload?: object): void
  increment(step?: number): void
  setTotal(total: number): void
  stop(): void
}

const require = createRequire(import.meta.url)

/**
 * A progress bar or callback for `total` items, or nothing.
 *
 * @example
 * import { Progress } from './progress.js'
 * const p = Progress.start(10, ({ done, total }) => console.log(`${done}/${total}`))
 * p?.advance(4); p?.advance(6); p?.stop() // 4/10, 10/10
 */
export class Progress {
  readonly #bar: Bar | undefined
  readonly #callback: ((progress: PoolProgress) => void) | undefined
  #stopped = false
  #total = 0
  #done = 0

  private constructor(bar: Bar | undefined, callback: ((progress: PoolProgress) => void) | undefined, total: number) {
    this.#bar = bar
    this.#callback = callback
    this.#total = total
  }

  /** A bar (`true`, stdout a TTY), a callback's reporter, or undefined. */
  static start(total: number, how: ProgressOption | undefined = true): Progress | undefined {
    if (typeof how === 'function') return new Progress(undefined, how, total)
    if (how !== true || !process.stdout.isTTY) return undefined
    const { SingleBar, Presets } = require('cli-progress') as { SingleBar: new (opts: object, preset: object) => Bar; Presets: Record<string, object> }
    const bar = new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: false }, Presets.shades_classic)
    const started = performance.now()
    const progress = new Progress({
      start: (t, v) => bar.start(t, v, { rate: '0' }),
      increment: (step = 1) => {
        const b = bar as unknown as { value: number; increment(step: number, payload: object): void }
        const seconds = (performance.now() - started) / 1000
        b.increment(step, { rate: seconds > 0 ? Math.round((b.value + step) / seconds).toString() : '0' })
      },
      setTotal: (t) => bar.setTotal(t),
      stop: () => bar.stop(),
    }, undefined, total)
    progress.#bar!.start(total, 0)
    return progress
  }

  /** `n` more items to do (a source read as it goes: the total grows with it). */
  add(n: number): void {
    if (this.#stopped) return
    this.#total += n
    this.#bar?.setTotal(this.#total)
  }

  /** `n` more items are done. */
  advance(n: number): void {
    if (this.#stopped) return
    this.#done += n
    this.#bar?.increment(n)
    if (this.#callback === undefined) return
    try {
      this.#callback({ done: this.#done, total: this.#total })
    } catch (error) {
      process.stderr.write(`skein pool: the progress callback threw: ${(error as Error)?.stack ?? String(error)}\n`)
    }
  }

  /** Ends the bar (idempotent). */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#bar?.stop()
  }
}

/** Checks a `progress` option: true/false, a function, or absent. */
export function checkProgress(how: unknown, where: string): ProgressOption | undefined {
  if (how === undefined || typeof how === 'boolean' || typeof how === 'function') return how as ProgressOption | undefined
  throw new TypeError(`${where}: options.progress must be true (a bar when stdout is a TTY) or a function called with { done, total } as items finish (got ${typeof how})`)
}
