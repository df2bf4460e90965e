/**
 * One Thread's run on a warm worker, as its parent sees it (the
 * `ChildHandle` of process/base.ts).
 *
 * How it works: a run is numbered (`seq`) on its worker. It ends when its
 * target returns or throws — the worker's 'done' message, or, for a parent
 * blocked in joinSync, the worker's `doneSeq` word reaching `seq` — or when
 * the worker dies under it (terminate(), `process.exit()` in the target, an
 * uncaught error). joinSync waits on `doneSeq` with the addon's futex in 50
 * ms slices and also stops when `threadAlive(tid)` says the thread is gone,
 * so a worker that was terminated (whose exit handlers never ran) still
 * releases joinSync. The worker's code of a finished run stays readable
 * until the parent hands the worker another job, which only this parent
 * thread does, after it has seen the 'done' message.
 */
import { native } from '../native.js'
import { sleepOn } from '../sync/wait.js'
import type { ChildHandle } from '../process/base.js'
import { CODE, DONE_SEQ, TID } from './protocol.js'

const SLICE_MS = 50

/** What a run needs of the worker it runs on (a WarmWorker, warm-worker.ts). */
export interface RunHost {
  readonly threadId: number
  /** The `[doneSeq, tid, code]` words (protocol.ts) and where they live, for futex waits. */
  readonly words: Int32Array
  readonly sab: SharedArrayBuffer
  readonly offset: number
  /** The run in progress on it. */
  readonly current: ThreadChild | undefined
  readonly worker: { ref(): void; unref(): void }
  /** Ends the worker (it is not reused). */
  retire(): void
}

/** A Thread's run on a worker. */
export class ThreadChild implements ChildHandle {
  readonly id: number
  readonly exited: Promise<number>
  /** Resolves once the target runs; rejects if it could not be loaded or the worker died first. */
  readonly started: Promise<void>
  nativeId: number | undefined
  #code: number | null = null
  #isStarted = false
  #resolveExit!: (code: number) => void
  #resolveStart!: () => void
  #rejectStart!: (error: Error) => void

  constructor(readonly warm: RunHost, readonly seq: number, readonly name: string) {
    this.id = warm.threadId
    this.exited = new Promise((resolve) => { this.#resolveExit = resolve })
    this.started = new Promise((resolve, reject) => { this.#resolveStart = resolve; this.#rejectStart = reject })
  }

  /** @internal the worker reports the target running. */
  markStarted(): void {
    this.#isStarted = true
    this.#resolveStart()
  }

  /** @internal the target could not be loaded. */
  fail(error: Error): void {
    this.#rejectStart(error)
  }

  /** @internal the run ended with `code` (target returned/threw, or the worker died). */
  settle(code: number): void {
    if (this.#code !== null) return
    this.#code = code
    if (!this.#isStarted) this.#rejectStart(new Error(`thread ${this.name} exited (${code}) before running its target; see stderr`))
    this.#resolveExit(code)
  }

  poll(): number | null {
    if (this.#code !== null) return this.#code
    const words = this.warm.words
    if (Atomics.load(words, DONE_SEQ) >= this.seq) return Atomics.load(words, CODE)
    const tid = Atomics.load(words, TID)
    return tid !== 0 && !native.threadAlive(tid) ? 1 : null
  }

  waitSync(timeoutMs: number | null): number | null {
    const deadline = timeoutMs === null ? Infinity : performance.now() + timeoutMs
    const { sab, offset, words } = this.warm
    for (;;) {
      const seen = Atomics.load(words, DONE_SEQ)
      const code = this.poll()
      if (code !== null) return code
      const now = performance.now()
      if (now >= deadline) return null
      // Sliced: a terminated worker never sets doneSeq, so the slices notice its death.
      sleepOn(sab, (offset >> 2) + DONE_SEQ, seen, Math.min(now + SLICE_MS, deadline))
    }
  }

  /** Stops the thread: its worker is terminated (and not reused). */
  signal(): void {
    if (this.warm.current === this) this.warm.retire()
  }

  ref(): void {
    if (this.warm.current === this) this.warm.worker.ref()
  }

  unref(): void {
    if (this.warm.current === this) this.warm.worker.unref()
  }
}
