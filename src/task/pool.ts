/**
 * `TaskPool`: gevent's `pool.Pool` — at most `size` tasks of this thread at once.
 *
 * How it works: a validating facade over {@link Slots} (a FIFO counting
 * semaphore). `spawn` queues a deferred task for a slot and frees the slot
 * when the task's function returns; `map`/`imap`/`imapUnordered` run through
 * {@link MapRun}'s slot-holding workers, which is what makes them several
 * times faster than a promise-per-job limiter.
 */
import { Task, kCreate, kOnExit, kStart, type TaskFunction } from './task.js'
import { MapRun } from './pool-run.js'
import { Slots } from './slots.js'
import { after, noop } from './timer.js'
import { checkFunction, checkIterable, checkSize, checkTimeout, describe } from './validate.js'

/** Options of {@link TaskPool.imap} and {@link TaskPool.imapUnordered}. */
export interface ImapOptions {
  /**
   * Most finished results held for a slow reader (gevent's `maxsize`); when
   * reached, the pool stops starting items until the reader catches up.
   * Default: unbounded.
   */
  maxsize?: number
}

type ItemFn<T, R> = (signal: AbortSignal, item: T) => R

/**
 * A pool of at most `size` concurrently running tasks in this thread.
 *
 * Waiting callers are served first come, first served; the limit holds
 * across `spawn`, `map`, `imap` and `imapUnordered` used together. Functions
 * receive an AbortSignal first (like {@link spawn}); `kill()` aborts it for
 * everything running. A slot is held until the function really returns,
 * even after its task was killed. `size` may be `Infinity`.
 *
 * `spawn` returns the task at once (queued until a slot frees) rather than a
 * promise of it: a `Task` is awaitable, so a promise of one would resolve to
 * its value. For gevent's blocking spawn, `await pool.waitAvailable()` first.
 *
 * @example
 * import { TaskPool, sleep } from 'skein'
 * const pool = new TaskPool(2)
 * const squares = await pool.map(async (signal, n: number) => { await sleep(1, { signal }); return n * n }, [1, 2, 3])
 * console.log(squares) // [1, 4, 9]
 */
export class TaskPool {
  readonly #slots: Slots
  readonly #tasks = new Set<Task<unknown>>()
  readonly #runs = new Set<{ stop(reason: unknown): void }>()

  /**
   * Creates a pool; throws a RangeError unless `size` is a positive integer or `Infinity`.
   *
   * @example
   * import { TaskPool } from 'skein'
   * const pool = new TaskPool(100)
   */
  constructor(size: number) {
    this.#slots = new Slots(checkSize(size, 'new TaskPool(size)'))
  }

  /**
   * The most tasks that run at once.
   *
   * @example
   * import { TaskPool } from 'skein'
   * console.log(new TaskPool(8).size) // 8
   */
  get size(): number {
    return this.#slots.size
  }

  /**
   * How many slots are in use right now.
   *
   * @example
   * import { TaskPool } from 'skein'
   * const pool = new TaskPool(8); pool.spawn(() => 1); console.log(pool.running) // 1
   */
  get running(): number {
    return this.#slots.used
  }

  /**
   * How many `spawn`s and workers are queued for a slot.
   *
   * @example
   * import { TaskPool } from 'skein'
   * const pool = new TaskPool(1); pool.spawn(() => 1); pool.spawn(() => 2); console.log(pool.waiting) // 1
   */
  get waiting(): number {
    return this.#slots.waiting
  }

  /**
   * gevent's `free_count()`: slots free right now (`size - running`).
   *
   * @example
   * import { TaskPool } from 'skein'
   * console.log(new TaskPool(8).free()) // 8
   */
  free(): number {
    return this.#slots.size - this.#slots.used
  }

  /**
   * Runs `fn(signal, ...args)` as a task as soon as a slot is free and
   * returns the task now (it waits, not started, in FIFO order while the pool
   * is full). Throws a TypeError for a non-function.
   *
   * @example
   * import { TaskPool } from 'skein'
   * const pool = new TaskPool(4)
   * const t = pool.spawn(async (_signal, x: number) => x + 1, 41)
   * console.log(await t) // 42
   */
  spawn<A extends unknown[], R>(fn: TaskFunction<A, R>, ...args: A): Task<Awaited<R>> {
    checkFunction(fn, 'TaskPool.spawn(fn, ...args)')
    const task = Task[kCreate]<Awaited<R>>(fn as unknown as (signal: AbortSignal) => unknown, args, false)
    const slots = this.#slots
    const tasks = this.#tasks
    tasks.add(task)
    const done = (): void => {
      tasks.delete(task)
      slots.release()
    }
    // holding a slot: start the task and free the slot when its function returns
    slots.acquireThen(() => {
      if (task[kStart]()) task[kOnExit](done)
      else done() // killed while queued: it never runs
    })
    return task
  }

  /**
   * gevent's `wait_available()`: resolves once a slot is free, so the next
   * `spawn` is likely to start at once. The backpressure for a producer loop.
   *
   * @example
   * import { TaskPool, sleep } from 'skein'
   * const pool = new TaskPool(10)
   * for (let i = 0; i < 100; i++) { await pool.waitAvailable(); pool.spawn((signal) => sleep(1, { signal })) }
   * await pool.join()
   */
  waitAvailable(): Promise<void> {
    const slots = this.#slots
    if (slots.used < slots.size && slots.waiting === 0) return Promise.resolve()
    const p = slots.acquire() as Promise<void>
    return p.then(() => slots.release())
  }

  /**
   * Calls `fn(signal, item)` for every item, at most `size` at once, and
   * resolves with the results in input order. On the first error it stops
   * starting items, aborts the signal of those still running, and rejects
   * with that error (use `join()` to wait for them). Rejects with a TypeError
   * for a non-function or non-iterable.
   *
   * @example
   * import { TaskPool } from 'skein'
   * const lengths = await new TaskPool(8).map(async (_signal, s: string) => s.length, ['a', 'bb'])
   * console.log(lengths) // [1, 2]
   */
  map<T, R>(fn: ItemFn<T, R>, iterable: Iterable<T>): Promise<Array<Awaited<R>>> {
    try {
      checkFunction(fn, 'TaskPool.map(fn, iterable)')
      checkIterable(iterable, 'TaskPool.map(fn, iterable)')
    } catch (e) {
      return Promise.reject(e)
    }
    return new Promise<Array<Awaited<R>>>((resolve, reject) => {
      const results: Array<Awaited<R>> = Array.isArray(iterable) ? new Array<Awaited<R>>(iterable.length) : []
      let failed = false
      const run: MapRun<T, Awaited<R>> = new MapRun<T, Awaited<R>>(this.#slots, fn as ItemFn<T, Awaited<R>>, iterable, {
        value: (i, v) => { results[i] = v },
        fail: (e) => { failed = true; reject(e) },
        end: () => {
          this.#runs.delete(run)
          if (!failed) resolve(results)
        },
      }, null)
      this.#runs.add(run)
      run.start()
    })
  }

  /**
   * Like `map`, as an async iterable yielding results in input order as soon
   * as each is next in line. Starts when iteration starts; leaving the loop
   * early stops it and aborts running items. An error is thrown at the next
   * step after it happens (results not yet yielded are dropped).
   *
   * @example
   * import { TaskPool } from 'skein'
   * for await (const n of new TaskPool(4).imap(async (_signal, x: number) => x * 10, [1, 2, 3])) console.log(n) // 10 20 30
   */
  imap<T, R>(fn: ItemFn<T, R>, iterable: Iterable<T>, options: ImapOptions = {}): AsyncIterableIterator<Awaited<R>> {
    const maxsize = this.#checkImap(fn, iterable, options, 'imap')
    return this.#iterate(fn as ItemFn<T, Awaited<R>>, iterable, maxsize, true)
  }

  /**
   * Like `imap`, but yields each result as soon as it is ready, in finishing order.
   *
   * @example
   * import { TaskPool, sleep } from 'skein'
   * const slowFirst = async (signal: AbortSignal, ms: number) => { await sleep(ms, { signal }); return ms }
   * for await (const ms of new TaskPool(4).imapUnordered(slowFirst, [30, 1])) console.log(ms) // 1 30
   */
  imapUnordered<T, R>(fn: ItemFn<T, R>, iterable: Iterable<T>, options: ImapOptions = {}): AsyncIterableIterator<Awaited<R>> {
    const maxsize = this.#checkImap(fn, iterable, options, 'imapUnordered')
    return this.#iterate(fn as ItemFn<T, Awaited<R>>, iterable, maxsize, false)
  }

  #checkImap(fn: unknown, iterable: unknown, options: ImapOptions, name: string): number {
    checkFunction(fn, `TaskPool.${name}(fn, iterable)`)
    checkIterable(iterable, `TaskPool.${name}(fn, iterable)`)
    const maxsize = options?.maxsize ?? Infinity
    if (typeof maxsize !== 'number' || !(maxsize === Infinity || (Number.isInteger(maxsize) && maxsize >= 1))) {
      throw new RangeError(`TaskPool.${name}(fn, iterable, { maxsize }): maxsize must be a positive integer or Infinity, got ${describe(maxsize)}`)
    }
    return maxsize
  }

  async *#iterate<T, R>(fn: ItemFn<T, R>, iterable: Iterable<T>, maxsize: number, ordered: boolean): AsyncGenerator<R> {
    const buf = new Map<number, R>() // ordered: index → result
    const fifo: R[] = [] // unordered: results in finishing order
    let head = 0 // ordered: next index to yield; unordered: next fifo slot
    let ended = false
    let failed = false
    let error: unknown
    let wake: (() => void) | null = null
    const poke = (): void => {
      const w = wake
      wake = null
      w?.()
    }
    const held = ordered ? (): number => buf.size : (): number => fifo.length - head
    const run: MapRun<T, R> = new MapRun<T, R>(this.#slots, fn, iterable, {
      value: (i, v) => {
        if (ordered) buf.set(i, v)
        else fifo.push(v)
        poke()
      },
      fail: (e) => { failed = true; error = e; poke() },
      end: () => { ended = true; this.#runs.delete(run); poke() },
    }, maxsize === Infinity ? null : () => held() < maxsize)
    this.#runs.add(run)
    run.start()
    try {
      for (;;) {
        if (failed) throw error
        if (ordered ? buf.has(head) : head < fifo.length) {
          let v: R
          if (ordered) {
            v = buf.get(head) as R
            buf.delete(head)
            head++
          } else {
            v = fifo[head] as R
            fifo[head++] = undefined as R
            if (head === fifo.length) { fifo.length = 0; head = 0 }
          }
          run.roomFreed()
          yield v
          continue
        }
        if (ended) return
        await new Promise<void>((resolve) => { wake = resolve })
      }
    } finally {
      if (!ended) run.stop(new DOMException('cancelled: the reader stopped iterating', 'AbortError'))
    }
  }

  /**
   * Waits until nothing runs or waits in the pool, or `timeout` ms pass;
   * resolves `true` if the pool is idle. Never rejects with a task's error.
   *
   * @example
   * import { TaskPool, sleep } from 'skein'
   * const pool = new TaskPool(2); pool.spawn((signal) => sleep(5, { signal }))
   * console.log(await pool.join()) // true
   */
  join(timeout?: number): Promise<boolean> {
    let ms: number | null
    try {
      ms = checkTimeout(timeout, 'TaskPool.join(timeout)')
    } catch (e) {
      return Promise.reject(e)
    }
    return new Promise<boolean>((resolve) => {
      let cancel = noop
      let done = false
      this.#slots.whenIdle(() => { done = true; cancel(); resolve(true) })
      if (!done && ms !== null) cancel = after(ms, () => resolve(false))
    })
  }

  /**
   * gevent's `Pool.kill()`: kills every task (running or queued) and stops
   * every `map`/`imap` (they reject with `reason`). Resolves once the pool is
   * idle. The pool stays usable.
   *
   * @example
   * import { TaskPool, sleep } from 'skein'
   * const pool = new TaskPool(2); const t = pool.spawn((signal) => sleep(60_000, { signal }))
   * await pool.kill(); console.log(t.ready()) // true
   */
  kill(reason?: unknown): Promise<void> {
    const r = reason === undefined ? new DOMException('the TaskPool was killed with kill()', 'AbortError') : reason
    for (const run of [...this.#runs]) run.stop(r)
    for (const t of [...this.#tasks]) void t.kill(r)
    return this.join().then(noop)
  }
}
