/**
 * `MapRun`: one `map`/`imap`/`imapUnordered` call of a `TaskPool` (internal).
 *
 * How it works: instead of one promise-wrapped job per item (p-limit's way),
 * a run starts up to `size` *workers*. Each worker takes a pool slot, then
 * loops: pull the next item from the shared iterator, `await fn(signal,
 * item)`, hand the result to the sink. A worker keeps its slot between items
 * (no queue traffic on the hot path) unless someone is waiting for one, in
 * which case it gives the slot to the oldest waiter and queues behind it, so
 * concurrent `spawn`/`map` calls share the pool fairly and `size` is never
 * exceeded. On arrays, `size` workers start at once; on other iterables one
 * starts and each successful pull starts another, up to `size`. For `imap`,
 * a worker that finds the reader's buffer full gives its slot back and
 * sleeps until the reader takes a result. All items of a run share one
 * AbortSignal (so its listener limit is lifted). The first error (or `stop()`)
 * stops pulling, aborts the run's signal and is reported once; the sink's
 * `end` fires when the last worker has returned.
 */
import { setMaxListeners } from 'node:events'
import type { Slots } from './slots.js'

/** Receives a run's results (internal). */
export interface Sink<R> {
  /** A result, with the index of its item. */
  value(index: number, v: R): void
  /** The first error; called at most once, and no `value` follows. */
  fail(e: unknown): void
  /** Every worker has returned. Called exactly once, last. */
  end(): void
}

export class MapRun<T, R> {
  readonly #slots: Slots
  readonly #fn: (signal: AbortSignal, item: T) => R | PromiseLike<R>
  readonly #sink: Sink<R>
  readonly #hasRoom: (() => boolean) | null
  readonly #ctl = new AbortController()
  readonly #array: ArrayLike<T> | null
  readonly #iter: Iterator<T> | null
  #next = 0
  #exhausted = false
  #stopped = false
  #workers = 0
  #roomWaiters: Array<() => void> = []

  constructor(
    slots: Slots,
    fn: (signal: AbortSignal, item: T) => R | PromiseLike<R>,
    iterable: Iterable<T>,
    sink: Sink<R>,
    hasRoom: (() => boolean) | null,
  ) {
    this.#slots = slots
    this.#fn = fn
    this.#sink = sink
    this.#hasRoom = hasRoom
    // one signal is shared by up to `size` items at once, each free to listen to it
    setMaxListeners(0, this.#ctl.signal)
    this.#array = Array.isArray(iterable) ? iterable : null
    this.#iter = this.#array === null ? iterable[Symbol.iterator]() : null
  }

  /** Starts the workers; `end` fires at once for an empty array. */
  start(): void {
    const n = this.#array === null ? 1 : Math.min(this.#slots.size, this.#array.length)
    if (n === 0) {
      this.#sink.end()
      return
    }
    for (let i = 0; i < n; i++) this.#spawnWorker()
  }

  /** Stops pulling items and aborts the in-flight ones' signal with `reason`. */
  stop(reason: unknown): void {
    this.#fail(reason, reason)
  }

  /** The reader took a result: wake workers waiting for buffer room. */
  roomFreed(): void {
    if (this.#roomWaiters.length === 0) return
    const ws = this.#roomWaiters
    this.#roomWaiters = []
    for (const w of ws) w()
  }

  #fail(e: unknown, abortWith: unknown): void {
    if (this.#stopped) return
    this.#stopped = true
    try {
      this.#iter?.return?.()
    } catch {
      // a generator's cleanup error must not hide the run's own error
    }
    this.#sink.fail(e)
    this.#ctl.abort(abortWith)
    this.roomFreed()
  }

  #spawnWorker(): void {
    this.#workers++
    void this.#work()
  }

  async #work(): Promise<void> {
    const slots = this.#slots
    const signal = this.#ctl.signal
    const fn = this.#fn
    const array = this.#array
    let p = slots.acquire()
    if (p !== undefined) await p
    try {
      while (!this.#stopped) {
        if (this.#hasRoom !== null && !this.#hasRoom()) {
          // Queue for room before giving the slot back: release() may run a
          // spawned task's code at once, and that code may take a result (and
          // free room) before this worker would have queued.
          const room = new Promise<void>((resolve) => this.#roomWaiters.push(resolve))
          slots.release()
          await room
          p = slots.acquire()
          if (p !== undefined) await p
          continue
        }
        let item: T
        const i = this.#next
        if (array !== null) {
          if (i >= array.length) break
          item = array[i] as T
        } else {
          if (this.#exhausted) break
          let r: IteratorResult<T>
          try {
            r = (this.#iter as Iterator<T>).next()
          } catch (e) {
            this.#fail(e, e)
            break
          }
          if (r.done === true) {
            this.#exhausted = true
            break
          }
          item = r.value
        }
        this.#next = i + 1
        if (array === null && this.#workers < slots.size) {
          // ramp up on a later microtask: a synchronous start would recurse
          this.#workers++
          queueMicrotask(() => void this.#work())
        }
        try {
          const v = await fn(signal, item)
          if (!this.#stopped) this.#sink.value(i, v)
        } catch (e) {
          this.#fail(e, new DOMException('cancelled: another item of this map failed', 'AbortError'))
          break
        }
        if (slots.waiting > 0) {
          slots.release()
          p = slots.acquire()
          if (p !== undefined) await p
        }
      }
    } finally {
      slots.release()
      if (--this.#workers === 0) this.#sink.end()
    }
  }
}
