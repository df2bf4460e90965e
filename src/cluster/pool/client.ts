/**
 * The client side of a cluster pool: tasks out in batches, outcomes in.
 *
 * How it works. A submitted task waits in an outbox; every task submitted
 * in one event-loop turn leaves in one `RPUSH` of a few task messages
 * (wire.ts) — several per turn, sized from the workers' total concurrency,
 * so that a burst spreads over every worker instead of landing on the one
 * that takes first. Workers push outcomes to this pool object's own reply
 * list; one reader reads it (readRepliesScript, and a `BLMOVE` of the list
 * onto itself on a dedicated connection to wait) while tasks are pending, and every second it also
 * runs the reaper (scripts.ts), so tasks held by a dead worker come back
 * even when no live worker is left to notice.
 */
import { randomUUID } from 'node:crypto'
import { describeFunction, type FunctionRef } from '../../runtime/locate.js'
import { cpuCount } from '../../runtime/context.js'
import { PoolTerminatedError } from '../../pool/core.js'
import { blockingCall } from '../redis/blocking-call.js'
import type { ClusterConnection } from '../redis/connection.js'
import { encodeHandles, holdsShareable } from './handles.js'
import { HEARTBEAT_EVERY_MS, PoolKeys, REPLY_TTL_MS, reapScript, readRepliesScript } from './scripts.js'
import { CRASHED, HANDLES, OK, crashError, fromWire, readReply, taskMessage, type Kind, type TaskBody } from './wire.js'

/** Where a task's outcome goes (an AsyncResult, or a map's chunk collector). */
export interface Sink {
  _resolve(value: unknown): void
  _reject(error: unknown): void
}

interface Outgoing {
  id: number
  ref: FunctionRef
  kind: number
  payload: unknown
}

/** At most this many tasks per message: large enough to amortize, small enough to spread. */
const MAX_PER_MESSAGE = 256
/** Outcomes read at once. */
const READ_COUNT = 1000
/** How long one wait for outcomes blocks (ms): the reader looks for dead workers between two. */
const READ_BLOCK_MS = HEARTBEAT_EVERY_MS

/** @internal The engine behind ClusterPool. */
export class PoolClient {
  state: 'running' | 'closed' | 'terminated' = 'running'
  readonly #cluster: ClusterConnection
  readonly #keys: PoolKeys
  readonly #maxAttempts: number
  readonly #what: string
  readonly #reply: string
  readonly #pending = new Map<number, Sink>()
  readonly #refs = new Map<Function, FunctionRef>()
  #seq = 0
  #outbox: Outgoing[] = []
  #flushScheduled = false
  /** Tasks being located or encoded, and maps waiting for the workers' size. */
  #preparing = 0
  #reading = false
  #idle: Array<() => void> = []
  #capacity: { value: number; at: number } | undefined

  constructor(cluster: ClusterConnection, keys: PoolKeys, maxAttempts: number, what: string) {
    this.#cluster = cluster
    this.#keys = keys
    this.#maxAttempts = maxAttempts
    this.#what = what
    this.#reply = keys.reply(`${cluster.clientId}:${randomUUID().slice(0, 8)}`)
  }

  /** Throws the error a submission gets once the pool no longer takes tasks. */
  checkOpen(): void {
    if (this.#cluster.isClosed) throw new Error(`${this.#what}: its cluster connection is closed; connect() again for more work`)
    if (this.state === 'closed') throw new Error(`${this.#what} is closed: no new tasks after close(); make a new cluster.Pool() for more work`)
    if (this.state === 'terminated') throw new Error(`${this.#what} is terminated: no new tasks after terminate(); make a new cluster.Pool() for more work`)
  }

  /** Queues `fn` on `payload` (its kind says how) for a worker; the outcome goes to `sink`. Throws when closed. */
  submit(fn: Function, kind: Kind, payload: unknown, sink: Sink): void {
    this.checkOpen()
    this.enqueue(fn, kind, payload, sink)
  }

  /** {@link submit} without the open check, for work accepted before a close (a map sizing its chunks). */
  enqueue(fn: Function, kind: Kind, payload: unknown, sink: Sink): void {
    if (typeof fn !== 'function') throw new TypeError(`${this.#what}: the task function must be a function exported from its module, got ${fn === null ? 'null' : typeof fn}`)
    if (this.state === 'terminated') { sink._reject(new PoolTerminatedError()); return }
    const id = ++this.#seq
    this.#pending.set(id, sink)
    const ref = this.#refs.get(fn)
    if (ref !== undefined && !holdsShareable(payload)) {
      this.#outbox.push({ id, ref, kind, payload })
      this.#scheduleFlush()
    } else {
      this.#preparing++
      this.#prepare(fn, id, kind, payload).then((task) => {
        if (this.#pending.has(id)) this.#outbox.push(task)
        this.#scheduleFlush()
      }, (error: unknown) => this.#settle(id, error, false)).finally(() => this.#done())
    }
    if (!this.#reading) void this.#read()
  }

  /** Marks work that will submit later (join waits for it). */
  begin(): void { this.#preparing++ }
  end(): void { this.#done() }

  /** The workers' total concurrency (cached for a second), or this machine's CPU count while none is registered. */
  async capacity(): Promise<number> {
    const now = performance.now()
    if (this.#capacity !== undefined && now - this.#capacity.at < 1000) return this.#capacity.value
    const values = await this.#cluster.redis.hvals(this.#keys.workers)
    const sum = values.reduce((total, v) => total + (Number(v) || 0), 0)
    this.#capacity = { value: sum > 0 ? sum : cpuCount(), at: now }
    return this.#capacity.value
  }

  close(): void {
    if (this.state === 'running') this.state = 'closed'
    this.#checkIdle()
  }

  /** Rejects every task of this client not finished yet; workers may still run those they took (their outcomes are dropped). */
  terminate(): void {
    if (this.state === 'terminated') return
    this.state = 'terminated'
    this.#outbox = []
    const error = new PoolTerminatedError(`${this.#what} was terminated before this task finished: call close() and join() instead of terminate() to let queued tasks run`)
    for (const [id] of this.#pending) this.#settle(id, error, false)
    this.#checkIdle()
  }

  /** Resolves once every task submitted has its outcome (after close() or terminate()). */
  join(): Promise<void> {
    if (this.state === 'running') return Promise.reject(new Error(`${this.#what}.join() called while the pool is running: call close() (let its tasks finish) or terminate() first`))
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  async #prepare(fn: Function, id: number, kind: number, payload: unknown): Promise<Outgoing> {
    let ref = this.#refs.get(fn)
    if (ref === undefined) {
      ref = await describeFunction(fn)
      this.#refs.set(fn, ref)
    }
    if (holdsShareable(payload)) {
      payload = await encodeHandles(payload, `${this.#what}: a task argument`)
      kind |= HANDLES
    }
    return { id, ref, kind, payload }
  }

  #done(): void {
    this.#preparing--
    this.#checkIdle()
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    setImmediate(() => this.#flush())
  }

  #flush(): void {
    this.#flushScheduled = false
    const tasks = this.#outbox
    this.#outbox = []
    if (tasks.length === 0 || this.state === 'terminated') return
    const workers = this.#capacity?.value ?? 2
    const per = Math.min(MAX_PER_MESSAGE, Math.max(1, Math.ceil(tasks.length / (workers * 2))))
    const messages: Buffer[] = []
    const sent: number[] = []
    for (let i = 0; i < tasks.length; i += per) this.#pack(tasks.slice(i, i + per), messages, sent)
    if (this.#capacity === undefined || performance.now() - this.#capacity.at > 1000) this.capacity().catch(() => {})
    if (messages.length === 0) return
    this.#cluster.redis.rpush(this.#keys.tasks, ...messages).catch((error: unknown) => {
      for (const id of sent) this.#settle(id, error, false)
    })
  }

  /** Builds one message of `tasks`; a payload that can't be cloned fails its own task only. */
  #pack(tasks: Outgoing[], messages: Buffer[], sent: number[]): void {
    const fns: string[] = []
    const index = new Map<string, number>()
    const flat: unknown[] = []
    for (const task of tasks) {
      const key = `${task.ref.url}#${task.ref.name}`
      let fn = index.get(key)
      if (fn === undefined) {
        fn = fns.length / 2
        index.set(key, fn)
        fns.push(task.ref.url, task.ref.name)
      }
      flat.push(task.id, fn, task.kind, task.payload)
    }
    const body: TaskBody = { fns, tasks: flat }
    try {
      messages.push(taskMessage(1, this.#maxAttempts, this.#reply, body))
      for (const task of tasks) sent.push(task.id)
    } catch (error) {
      if (tasks.length > 1) {
        for (const task of tasks) this.#pack([task], messages, sent)
        return
      }
      const why = new TypeError(`${this.#what}: a task argument can't be structured-cloned (${(error as Error).message}); send plain data, Maps, Sets, Dates, typed arrays or Buffers`, { cause: error })
      this.#settle(tasks[0]!.id, why, false)
    }
  }

  async #read(): Promise<void> {
    this.#reading = true
    let lastReap = performance.now()
    let seen: Buffer[] = []
    try {
      while (this.#pending.size > 0 && !this.#cluster.isClosed) {
        // Read, then drop what was read on the next read: an outcome is never popped and lost in transit.
        const last = seen.length === 0 ? '' : seen[seen.length - 1]!
        seen = await readRepliesScript.runBuffer(this.#cluster.redis, [this.#reply], [seen.length, last, READ_COUNT]) as Buffer[]
        for (const reply of seen) this.#onReply(reply)
        if (seen.length === 0) {
          // Nothing yet: block until an outcome arrives (moving the tail onto itself leaves the list as it is).
          await blockingCall(this.#cluster, ['BLMOVE', this.#reply, this.#reply, 'RIGHT', 'RIGHT'], performance.now() + READ_BLOCK_MS, undefined).catch(async (error: unknown) => {
            // An error reply (Redis still loading its data, say): the next read waits in the offline queue.
            if (this.#cluster.isClosed) throw error
            await new Promise((resolve) => setTimeout(resolve, 100))
          })
        }
        if (performance.now() - lastReap >= HEARTBEAT_EVERY_MS && this.#pending.size > 0) {
          lastReap = performance.now()
          reapScript.run(this.#cluster.redis, [this.#keys.workers, this.#keys.tasks, this.#keys.dead], [this.#keys.prefix, REPLY_TTL_MS]).catch(() => {})
        }
      }
      if (seen.length > 0 && !this.#cluster.isClosed) {
        await readRepliesScript.runBuffer(this.#cluster.redis, [this.#reply], [seen.length, seen[seen.length - 1]!, 0]).catch(() => {})
      }
    } catch (error) {
      const why = this.#cluster.isClosed ? new Error(`${this.#what}: its cluster connection was closed before this task's outcome arrived`, { cause: error }) : error
      for (const [id] of this.#pending) this.#settle(id, why, false)
    } finally {
      this.#reading = false
      if (this.#pending.size > 0 && !this.#cluster.isClosed) void this.#read()
    }
  }

  #onReply(reply: Buffer): void {
    let what: ReturnType<typeof readReply>
    try {
      what = readReply(reply)
    } catch (error) {
      process.stderr.write(`skein ${this.#what}: dropped an outcome it can't read (${(error as Error).message}); are all clients and workers on the same skein version?\n`)
      return
    }
    if (what.kind === 'crashed') {
      const reason = `its cluster worker ${what.worker} stopped renewing its heartbeat (killed, or cut off from Redis) on the last of ${what.attempts} runs — maxAttempts reached`
      for (const id of what.ids) this.#settle(id, crashError(reason), false)
      return
    }
    const flat = what.flat
    if (!Array.isArray(flat) || flat.length % 3 !== 0) {
      process.stderr.write(`skein ${this.#what}: dropped an outcome it can't read (not [id, outcome, value] triples); something else wrote to its reply list\n`)
      return
    }
    for (let i = 0; i < flat.length; i += 3) {
      const id = flat[i] as number
      const outcome = flat[i + 1]
      if (outcome === OK) this.#settle(id, flat[i + 2], true)
      else if (outcome === CRASHED) this.#settle(id, crashError(String(flat[i + 2])), false)
      else this.#settle(id, fromWire(flat[i + 2]), false)
    }
  }

  #settle(id: number, value: unknown, ok: boolean): void {
    const sink = this.#pending.get(id)
    if (sink === undefined) return
    this.#pending.delete(id)
    if (ok) sink._resolve(value)
    else sink._reject(value)
    if (this.#pending.size === 0) this.#checkIdle()
  }

  #isIdle(): boolean {
    return this.#pending.size === 0 && this.#preparing === 0 && this.#outbox.length === 0
  }

  #checkIdle(): void {
    if (this.state === 'running' || !this.#isIdle()) return
    for (const resolve of this.#idle.splice(0)) resolve()
  }
}
