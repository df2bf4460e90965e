/**
 * `imap` and `imapUnordered`: the source is read as the pool needs items,
 * not all at once.
 *
 * How it works. Items are read a chunk at a time (`chunksize`, 1 by
 * default) and each chunk is submitted through a core {@link Feed}. Reading
 * stops while `lookahead` chunks are submitted but not yet taken by the
 * consumer (at least 4 per worker, and at least ~4,096 items), and goes on
 * each time the consumer takes a chunk's results; so an endless generator
 * is fine, memory stays bounded, and a consumer that stops (`break`) stops
 * the reading (the source's `return()` is called). A sync iterable is read
 * synchronously; an async iterable (`for await` sources) one awaited item at
 * a time.
 *
 * After `close()` the source is read to its end without the bound, as
 * Python's task feeder does, so `close(); await join()` before consuming
 * still finishes. An error thrown by the source arrives in its place: after
 * the results before it (imap), or as soon as it happens (imapUnordered).
 */
import { packNumbers } from './columns.js'
import type { Feed, PoolCore } from './core.js'
import type { Sink } from './task.js'
import { Fifo } from './fifo.js'
import type { Progress } from './progress.js'
import { MAP } from './protocol.js'

/** Items read ahead of the consumer, at least (in whole chunks). */
const LOOKAHEAD_ITEMS = 4096
/** Chunks read ahead of the consumer per worker, at least. */
const LOOKAHEAD_PER_WORKER = 4

/** One chunk submitted: the sink the pool settles, and then its outcome (one object per chunk, no closures). */
class Chunk implements Sink {
  /** 0 pending, 1 resolved, 2 rejected. */
  state = 0
  value: unknown = undefined

  /** `items`: the source items it stands for (a failed chunk fails each of them). */
  constructor(readonly stream: ImapStream, readonly items: number) {}

  _resolve(values: unknown): void {
    this.state = 1
    this.value = values
    this.stream._settled(this)
  }

  _reject(error: unknown): void {
    this.state = 2
    this.value = error
    this.stream._settled(this)
  }
}

/** Up to `size` items and whether the source ended (or threw: `error`). */
interface Read {
  items: unknown[]
  last: boolean
  error?: { thrown: unknown }
}

/**
 * An `Iterable` or `AsyncIterable` as a source of chunks; a TypeError naming
 * the call otherwise.
 *
 * @example
 * import { Source } from './imap.js'
 * const s = Source.of([1, 2, 3], 'imap')
 * console.log(s.readSync(2), s.readSync(2)) // { items: [1, 2], last: false } { items: [3], last: true }
 */
export class Source {
  readonly async: boolean
  readonly #sync: Iterator<unknown> | undefined
  readonly #asyncIt: AsyncIterator<unknown> | undefined
  #done = false

  private constructor(sync: Iterator<unknown> | undefined, asyncIt: AsyncIterator<unknown> | undefined) {
    this.#sync = sync
    this.#asyncIt = asyncIt
    this.async = asyncIt !== undefined
  }

  static of(iterable: unknown, where: string): Source {
    const value = iterable as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined
    if (value !== null && value !== undefined) {
      if (typeof value[Symbol.asyncIterator] === 'function') return new Source(undefined, value[Symbol.asyncIterator]!())
      if (typeof value[Symbol.iterator] === 'function') return new Source(value[Symbol.iterator]!(), undefined)
    }
    throw new TypeError(`${where}: expected an iterable or async iterable of items (an array, a Set, a generator, an async generator…), got ${value === null ? 'null' : typeof value}`)
  }

  readSync(size: number): Read {
    const items: unknown[] = []
    try {
      while (items.length < size) {
        const step = this.#sync!.next()
        if (step.done) return this.#last(items)
        items.push(step.value)
      }
    } catch (thrown) {
      this.#done = true
      return { items, last: true, error: { thrown } }
    }
    return { items, last: false }
  }

  async read(size: number): Promise<Read> {
    const items: unknown[] = []
    try {
      while (items.length < size) {
        const step = await this.#asyncIt!.next()
        if (step.done) return this.#last(items)
        items.push(step.value)
      }
    } catch (thrown) {
      this.#done = true
      return { items, last: true, error: { thrown } }
    }
    return { items, last: false }
  }

  /** The consumer left before the end: let the source clean up (a generator's `finally`). */
  close(): void {
    if (this.#done) return
    this.#done = true
    try {
      const closing = this.async ? this.#asyncIt!.return?.() : this.#sync!.return?.()
      if (closing instanceof Promise) closing.catch(() => {})
    } catch {
      // a source that fails to close has nothing more to give anyway
    }
  }

  #last(items: unknown[]): Read {
    this.#done = true
    return { items, last: true }
  }
}

/**
 * One item's outcome with `{ settled: true }`: its value, or the error of its task (as `Promise.allSettled` reports).
 *
 * @example
 * import type { SettledResult } from 'skein'
 * const show = (r: SettledResult<number>) => ('error' in r ? `failed: ${String(r.error)}` : `got ${r.value}`)
 */
export type SettledResult<R> = { value: R } | { error: unknown }

/**
 * The async iterator `imap`/`imapUnordered` return (it is its own async
 * iterable, as Python's `iter(it) is it`).
 *
 * A failed task does not end it, as in Python: the `next()` for that item
 * rejects with the task's error (each item of a failed chunk does), and the
 * next `next()` carries on. A `for await` loop stops at the first rejection;
 * with `{ settled: true }` it gets `{ value }` or `{ error }` for every item
 * instead and goes on to the end. `break` (or `return()`) stops the reading
 * and closes the source; a loop left by a thrown error does not (the
 * iterator could carry on): call `return()` if the source is endless.
 *
 * @example
 * import { ThreadPool } from 'skein'
 * import { square, failOn3 } from './work.js' // export function failOn3(x: number) { if (x === 3) throw new Error('no 3'); return x }
 * await using pool = new ThreadPool({ threads: 2 })
 * async function* numbers() { for (let i = 1; i <= 3; i++) yield i }
 * for await (const v of pool.imap(square, numbers())) console.log(v) // 1 4 9
 * for await (const r of pool.imap(failOn3, [1, 3, 5], { settled: true })) console.log('error' in r ? r.error.message : r.value) // 1 'no 3' 5
 * const it = pool.imap(failOn3, [3, 4])
 * await it.next().catch((e) => console.log(e.message)) // 'no 3'
 * console.log((await it.next()).value) // 4
 */
export class ImapStream implements AsyncIterableIterator<unknown> {
  readonly #feed: Feed
  readonly #fn: Function
  readonly #size: number
  readonly #ordered: boolean
  readonly #settledMode: boolean
  readonly #lookahead: number
  readonly #source: Source
  readonly #progress: Progress | undefined
  /** The bar's total grows as items are read (the source's length is unknown). */
  readonly #grows: boolean
  /** Submitted chunks in source order (imap takes from the front once settled). */
  readonly #inOrder = new Fifo<Chunk>()
  /** Settled chunks in the order they finished (imapUnordered). */
  readonly #finished = new Fifo<Chunk>()
  /** The pool stopped taking ordinary tasks: read to the end, unbounded. */
  #unbounded = false
  #reading = false
  /** No more chunks will be submitted. */
  #ended = false
  /** The consumer left (return(), or everything was taken). */
  #closed = false
  #submitted = 0
  #taken = 0
  #wake: (() => void) | undefined
  /** The chunk being handed out item by item: its values, or its error and how many items it still fails. */
  #values: ArrayLike<unknown> | undefined
  #at = 0
  #failure: { error: unknown; left: number } | undefined
  /** next() calls run one after another. */
  #tail: Promise<unknown> = Promise.resolve()

  constructor(core: PoolCore, fn: Function, source: Source, size: number, ordered: boolean, settled: boolean, progress: Progress | undefined, grows: boolean) {
    this.#fn = fn
    this.#settledMode = settled
    this.#source = source
    this.#size = size
    this.#ordered = ordered
    this.#progress = progress
    this.#grows = grows
    this.#lookahead = Math.max(core.size * LOOKAHEAD_PER_WORKER, Math.ceil(LOOKAHEAD_ITEMS / size))
    this.#feed = core.openFeed(() => {
      this.#unbounded = true
      this.#pump()
    })
    this.#pump()
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  // ----- reading

  #wants(): boolean {
    return !this.#ended && !this.#closed && (this.#unbounded || this.#submitted - this.#taken < this.#lookahead)
  }

  /**
   * Reads until `lookahead` chunks are out, but starts only once at most
   * half are: refilling in bulk lets the pool send big batches instead of
   * one small message per result taken.
   */
  #pump(): void {
    if (this.#reading || !this.#wants()) return
    if (!this.#unbounded && this.#submitted - this.#taken > this.#lookahead / 2) return
    this.#reading = true
    if (this.#source.async) {
      void this.#pumpAsync()
      return
    }
    try {
      while (this.#wants()) this.#take(this.#source.readSync(this.#size))
    } finally {
      this.#reading = false
    }
  }

  async #pumpAsync(): Promise<void> {
    try {
      while (this.#wants()) {
        const read = await this.#source.read(this.#size)
        if (this.#closed) return
        this.#take(read)
      }
    } catch (error) {
      // a task the pool refused (a function it cannot send): the consumer gets the error
      this.#fail(error)
    } finally {
      this.#reading = false
    }
  }

  #take(read: Read): void {
    if (read.items.length > 0) this.#submit(read.items)
    if (read.error !== undefined) this.#fail(read.error.thrown)
    else if (read.last) this.#end()
  }

  #submit(items: unknown[]): void {
    const chunk = this.#open(items.length)
    if (this.#grows) this.#progress?.add(items.length)
    // A terminated or broken pool rejected the chunk already: read no more.
    if (!this.#feed.submit(this.#fn, MAP, packNumbers(items, 0, items.length) ?? items, chunk)) this.#end()
  }

  /** The source (or the pool, refusing a task) failed: the error takes the next place. */
  #fail(error: unknown): void {
    this.#open(1)._reject(error)
    this.#end()
  }

  #open(items: number): Chunk {
    const chunk = new Chunk(this, items)
    this.#submitted++
    if (this.#ordered) this.#inOrder.push(chunk)
    return chunk
  }

  /** @internal A chunk's outcome arrived. */
  _settled(chunk: Chunk): void {
    this.#progress?.advance(chunk.state === 1 ? (chunk.value as ArrayLike<unknown>).length : chunk.items)
    if (!this.#ordered) this.#finished.push(chunk)
    this.#wake?.()
  }

  #end(): void {
    if (this.#ended) return
    this.#ended = true
    this.#feed.end()
    this.#wake?.()
  }

  // ----- the consumer

  next(): Promise<IteratorResult<unknown>> {
    const step = this.#tail.then(() => this.#step())
    this.#tail = step.catch(() => {})
    return step
  }

  /** The consumer leaves: no more reading, the source is closed. */
  return(): Promise<IteratorResult<unknown>> {
    this.#close()
    return Promise.resolve({ done: true, value: undefined })
  }

  async #step(): Promise<IteratorResult<unknown>> {
    for (;;) {
      if (this.#values !== undefined && this.#at < this.#values.length) {
        const value = this.#values[this.#at++]
        return { done: false, value: this.#settledMode ? { value } : value }
      }
      if (this.#failure !== undefined && this.#failure.left > 0) {
        this.#failure.left--
        if (this.#settledMode) return { done: false, value: { error: this.#failure.error } }
        throw this.#failure.error
      }
      this.#values = undefined
      this.#failure = undefined
      let chunk = this.#nextSettled()
      while (chunk === undefined && !this.#closed && !(this.#ended && this.#taken >= this.#submitted)) {
        await new Promise<void>((resolve) => { this.#wake = resolve })
        chunk = this.#nextSettled()
      }
      if (chunk === undefined || this.#closed) {
        this.#close()
        return { done: true, value: undefined }
      }
      this.#taken++
      this.#pump()
      if (chunk.state === 2) this.#failure = { error: chunk.value, left: chunk.items }
      else {
        this.#values = chunk.value as ArrayLike<unknown>
        this.#at = 0
      }
    }
  }

  #close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#values = undefined
    this.#failure = undefined
    this.#progress?.stop()
    this.#end()
    this.#wake?.()
    this.#source.close()
  }

  /** The next settled chunk in the consumer's order, taken out; undefined if none is ready. */
  #nextSettled(): Chunk | undefined {
    if (!this.#ordered) return this.#finished.shift()
    const head = this.#inOrder.peek()
    if (head === undefined || head.state === 0) return undefined
    return this.#inOrder.shift()
  }
}
