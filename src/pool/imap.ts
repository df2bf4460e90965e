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

  constructor(readonly stream: ImapStream) {}

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
 * The async iterable `imap`/`imapUnordered` return. Iterating it twice
 * gives the same iterator (as Python's `iter(it) is it`).
 *
 * @example
 * import { ThreadPool } from 'skein'
 * import { square } from './work.js' // export function square(x: number) { return x * x }
 * await using pool = new ThreadPool({ threads: 2 })
 * async function* numbers() { for (let i = 1; i <= 3; i++) yield i }
 * for await (const v of pool.imap(square, numbers())) console.log(v) // 1 4 9
 */
export class ImapStream implements AsyncIterable<unknown> {
  readonly #feed: Feed
  readonly #fn: Function
  readonly #size: number
  readonly #ordered: boolean
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
  /** The consumer left. */
  #stopped = false
  #submitted = 0
  #taken = 0
  #wake: (() => void) | undefined
  #iterator: AsyncGenerator<unknown> | undefined

  constructor(core: PoolCore, fn: Function, source: Source, size: number, ordered: boolean, progress: Progress | undefined, grows: boolean) {
    this.#fn = fn
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

  [Symbol.asyncIterator](): AsyncGenerator<unknown> {
    return (this.#iterator ??= this.#results())
  }

  // ----- reading

  #wants(): boolean {
    return !this.#ended && !this.#stopped && (this.#unbounded || this.#submitted - this.#taken < this.#lookahead)
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
        if (this.#stopped) return
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
    const chunk = this.#open()
    if (this.#grows) this.#progress?.add(items.length)
    // A terminated or broken pool rejected the chunk already: read no more.
    if (!this.#feed.submit(this.#fn, MAP, packNumbers(items, 0, items.length) ?? items, chunk)) this.#end()
  }

  /** The source (or the pool, refusing a task) failed: the error takes the next place. */
  #fail(error: unknown): void {
    this.#open()._reject(error)
    this.#end()
  }

  #open(): Chunk {
    const chunk = new Chunk(this)
    this.#submitted++
    if (this.#ordered) this.#inOrder.push(chunk)
    return chunk
  }

  /** @internal A chunk's outcome arrived. */
  _settled(chunk: Chunk): void {
    if (chunk.state === 1) this.#progress?.advance((chunk.value as ArrayLike<unknown>).length)
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

  async *#results(): AsyncGenerator<unknown> {
    try {
      for (;;) {
        let chunk = this.#nextSettled()
        while (chunk === undefined && !(this.#ended && this.#taken >= this.#submitted)) {
          await new Promise<void>((resolve) => { this.#wake = resolve })
          chunk = this.#nextSettled()
        }
        if (chunk === undefined) return
        this.#taken++
        this.#pump()
        if (chunk.state === 2) throw chunk.value
        yield* chunk.value as Iterable<unknown>
      }
    } finally {
      this.#stopped = true
      this.#progress?.stop()
      this.#end()
      this.#source.close()
    }
  }

  /** The next settled chunk in the consumer's order, taken out; undefined if none is ready. */
  #nextSettled(): Chunk | undefined {
    if (!this.#ordered) return this.#finished.shift()
    const head = this.#inOrder.peek()
    if (head === undefined || head.state === 0) return undefined
    return this.#inOrder.shift()
  }
}
