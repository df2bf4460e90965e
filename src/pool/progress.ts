/**
 * The progress bar of `map(…, { progress: true })`: cli-progress (a
 * maintained package) on stderr with rate and ETA, drawn only when stdout is
 * a TTY — piped or redirected output gets nothing.
 */
import { createRequire } from 'node:module'

interface Bar {
  start(total: number, value: number, payload?: object): void
  increment(step?: number): void
  setTotal(total: number): void
  stop(): void
}

const require = createRequire(import.meta.url)

/**
 * A progress bar for `total` items, or nothing when stdout is not a TTY.
 *
 * @example
 * import { Progress } from './progress.js'
 * const p = Progress.start(10); p?.advance(10); p?.stop()
 */
export class Progress {
  readonly #bar: Bar
  #stopped = false
  #total = 0

  private constructor(bar: Bar) {
    this.#bar = bar
  }

  /** A started bar, or undefined when stdout is not a TTY. */
  static start(total: number): Progress | undefined {
    if (!process.stdout.isTTY) return undefined
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
    })
    progress.#total = total
    progress.#bar.start(total, 0)
    return progress
  }

  /** `n` more items to do (a source read as it goes: the total grows with it). */
  add(n: number): void {
    if (this.#stopped) return
    this.#total += n
    this.#bar.setTotal(this.#total)
  }

  /** `n` more items are done. */
  advance(n: number): void {
    if (!this.#stopped) this.#bar.increment(n)
  }

  /** Ends the bar (idempotent). */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#bar.stop()
  }
}
