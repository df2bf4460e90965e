/**
 * `cluster.Pool`: the local Pool's interface, with tasks run by workers
 * (`runWorker`, `npx skein worker`) on any machine. The engine is in
 * pool/client.ts (client side) and pool/cluster-worker.ts (worker side);
 * the wire format and the Lua steps in pool/wire.ts and pool/scripts.ts.
 */
import { AsyncResult, rejecting } from '../../pool/async-result.js'
import { checkArgs, type ApplyOptions, type MapAsyncOptions, type MapOptions, type TaskFunction } from '../../pool/base-pool.js'
import { autoChunksize, checkChunksize, toArray } from '../../pool/chunks.js'
import { Progress } from '../../pool/progress.js'
import type { ClusterConnection } from '../redis/connection.js'
import { ClusterObject } from '../object.js'
import { globEscape, scanKeys } from '../redis/scan.js'
import { PoolClient, type Sink } from './client.js'
import { PoolKeys } from './scripts.js'
import { CALL, MAP, STARMAP, type Kind } from './wire.js'

/** Options of a cluster pool. */
export interface ClusterPoolOptions {
  /** The pool's name: workers started with `runWorker({ pool: name })` run its tasks. */
  name: string
  /** Runs of a task whose worker died before it is rejected with WorkerCrashedError; default 3. */
  maxAttempts?: number
}

/**
 * A pool whose tasks run on workers on any machine. Tasks are plain
 * exported functions (sync or async), sent by module URL and export name:
 * every worker imports the module itself, so it must exist at the same path
 * on every machine that runs workers. A task whose worker dies is run again
 * on another, up to `maxAttempts` runs, then rejected with
 * `WorkerCrashedError` — so a task may run more than once (at-least-once).
 *
 * @example
 * import { connect } from 'skein/cluster'
 * import { square } from '../work.js' // export function square(x: number) { return x * x }
 * // elsewhere: npx skein worker --redis redis://127.0.0.1:6379 --pool squares
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * await using pool = cluster.Pool({ name: 'squares' })
 * console.log(await pool.apply(square, [7]), await pool.map(square, [1, 2, 3])) // 49 [ 1, 4, 9 ]
 */
export class ClusterPool extends ClusterObject {
  /** Runs of a task before WorkerCrashedError. */
  readonly maxAttempts: number
  readonly #client: PoolClient

  constructor(cluster: ClusterConnection, options: ClusterPoolOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError("cluster.Pool(options): options must be an object like { name: 'work' }")
    if (typeof options.name === 'string' && options.name.includes('\n')) throw new TypeError('cluster.Pool({ name }): name must not contain a newline')
    const maxAttempts = options.maxAttempts ?? 3
    if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError(`cluster.Pool({ maxAttempts }): must be a positive integer (got ${String(maxAttempts)}); it is how many times a task may run when its workers die — omit it for 3`)
    }
    super(cluster, options.name, 'Pool', { maxAttempts })
    this.maxAttempts = maxAttempts
    this.#client = new PoolClient(cluster, new PoolKeys(this.key('')), maxAttempts, `cluster.Pool('${options.name}')`)
  }

  /** Runs `fn(...args)` on a worker and resolves with its value. */
  apply<A extends unknown[], R>(fn: TaskFunction<A, R>, args?: A): Promise<Awaited<R>> {
    return rejecting(() => {
      const list = checkArgs(args, 'cluster.Pool')
      return new Promise<Awaited<R>>((resolve, reject) => this.#client.submit(fn, CALL, list, { _resolve: resolve as (v: unknown) => void, _reject: reject }))
    })
  }

  /** Submits `fn(...args)`; the AsyncResult resolves with its value (or error), calling `callback`/`errorCallback` first. */
  applyAsync<A extends unknown[], R>(fn: TaskFunction<A, R>, args?: A, options: Omit<ApplyOptions<Awaited<R>>, 'signal'> = {}): AsyncResult<Awaited<R>> {
    const list = checkArgs(args, 'cluster.Pool')
    const result = new AsyncResult<Awaited<R>>(options.callback, options.errorCallback)
    this.#client.submit(fn, CALL, list, result as Sink)
    return result
  }

  /** `fn(item)` for every item, in order, sent in chunks (Python's automatic size over the workers' total concurrency when omitted); rejects with the first error. */
  map<T, R>(fn: (item: T) => R, iterable: Iterable<T>, options: MapOptions = {}): Promise<Array<Awaited<R>>> {
    return rejecting(() => this.mapAsync(fn, iterable, options).get())
  }

  /** `map` that returns an AsyncResult of the list. */
  mapAsync<T, R>(fn: (item: T) => R, iterable: Iterable<T>, options: MapAsyncOptions<Awaited<R>> = {}): AsyncResult<Array<Awaited<R>>> {
    return this.#gather(fn, MAP, iterable, options, 'mapAsync')
  }

  /** `fn(...args)` for every argument list, in order; rejects with the first error. */
  starmap<A extends unknown[], R>(fn: TaskFunction<A, R>, iterable: Iterable<A>, options: MapOptions = {}): Promise<Array<Awaited<R>>> {
    return rejecting(() => this.starmapAsync(fn, iterable, options).get())
  }

  /** `starmap` that returns an AsyncResult of the list. */
  starmapAsync<A extends unknown[], R>(fn: TaskFunction<A, R>, iterable: Iterable<A>, options: MapAsyncOptions<Awaited<R>> = {}): AsyncResult<Array<Awaited<R>>> {
    return this.#gather(fn as Function, STARMAP, iterable, options, 'starmapAsync')
  }

  /** Yields `fn(item)` for every item in order, as soon as each is ready (chunksize 1 unless given). */
  imap<T, R>(fn: (item: T) => R, iterable: Iterable<T>, options: MapOptions = {}): AsyncIterable<Awaited<R>> {
    return this.#stream(fn, iterable, options, true, 'imap') as AsyncIterable<Awaited<R>>
  }

  /** Yields `fn(item)` for every item in the order they finish. */
  imapUnordered<T, R>(fn: (item: T) => R, iterable: Iterable<T>, options: MapOptions = {}): AsyncIterable<Awaited<R>> {
    return this.#stream(fn, iterable, options, false, 'imapUnordered') as AsyncIterable<Awaited<R>>
  }

  /** No more tasks from this pool object; the ones submitted still run (workers keep serving other clients). */
  close(): void {
    this.#client.close()
  }

  /** Rejects this object's unfinished tasks with PoolTerminatedError now (a worker may still run those it took; their outcomes are dropped). */
  terminate(): void {
    this.#client.terminate()
  }

  /** Waits until every task submitted has its outcome; call close() or terminate() first. */
  join(): Promise<void> {
    return this.#client.join()
  }

  /** `await using pool = cluster.Pool(…)`: close() then join() — submitted tasks finish. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#client.state === 'running') this.#client.close()
    await this.#client.join()
  }

  /** @internal Its keys, with those of each registered worker and each client's reply list. */
  protected override async ownKeys(): Promise<string[]> {
    const keys = new PoolKeys(this.key(''))
    const workers = await this.cluster.redis.hkeys(keys.workers)
    const replies = await scanKeys(this.cluster.redis, `${globEscape(keys.replies)}*`)
    return [...await super.ownKeys(), ...workers.flatMap((id) => [keys.alive(id), keys.inflight(id)]), ...replies]
  }

  #gather(fn: Function, kind: Kind, iterable: Iterable<unknown>, options: MapAsyncOptions<any>, where: string): AsyncResult<any[]> {
    this.#client.checkOpen()
    const items = toArray(iterable, `cluster.Pool.${where}`)
    const given = checkChunksize(options.chunksize, `cluster.Pool.${where}`)
    const result = new AsyncResult<any[]>(options.callback, options.errorCallback)
    const out = new Array<unknown>(items.length)
    const progress = options.progress === true && items.length > 0 ? Progress.start(items.length) : undefined
    if (items.length === 0) {
      result._resolve(out)
      return result
    }
    const send = (size: number): void => {
      let left = Math.ceil(items.length / size)
      for (let at = 0; at < items.length; at += size) {
        const from = at
        this.#client.enqueue(fn, kind, items.slice(at, at + size), {
          _resolve(values: unknown) {
            const list = values as ArrayLike<unknown>
            for (let i = 0; i < list.length; i++) out[from + i] = list[i]
            progress?.advance(list.length)
            if (--left === 0) { progress?.stop(); result._resolve(out) }
          },
          _reject: (error: unknown) => { progress?.stop(); result._reject(error) },
        })
      }
    }
    if (given !== undefined) send(given)
    else {
      this.#client.begin()
      this.#client.capacity().then((workers) => send(Math.max(1, autoChunksize(items.length, workers))), (error: unknown) => result._reject(error)).finally(() => this.#client.end())
    }
    return result
  }

  #stream(fn: Function, iterable: Iterable<unknown>, options: MapOptions, ordered: boolean, where: string): AsyncIterable<unknown> {
    this.#client.checkOpen()
    const items = toArray(iterable, `cluster.Pool.${where}`)
    const size = checkChunksize(options.chunksize, `cluster.Pool.${where}`) ?? 1
    const total = Math.ceil(items.length / size)
    const done: Array<{ ok: boolean; value: unknown } | undefined> = new Array(total)
    const finished: number[] = []
    const progress = options.progress === true ? Progress.start(items.length) : undefined
    let wake: (() => void) | undefined
    for (let i = 0; i < total; i++) {
      this.#client.enqueue(fn, MAP, items.slice(i * size, (i + 1) * size), {
        _resolve(values) { done[i] = { ok: true, value: values }; finished.push(i); progress?.advance((values as unknown[]).length); wake?.() },
        _reject(error) { done[i] = { ok: false, value: error }; finished.push(i); wake?.() },
      })
    }
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for (let k = 0; k < total; k++) {
            while (ordered ? done[k] === undefined : finished.length <= k) await new Promise<void>((resolve) => { wake = resolve })
            const outcome = done[ordered ? k : finished[k]!]!
            if (!outcome.ok) throw outcome.value
            yield* outcome.value as Iterable<unknown>
          }
        } finally {
          progress?.stop()
        }
      },
    }
  }
}

