/**
 * The worker side of a cluster pool: take task messages, run their tasks on
 * local processes (local-runner.ts), push outcomes back in batches.
 *
 * How it works. A worker takes messages atomically into its own in-flight
 * list — a script moves as many as it has room for (twice its concurrency,
 * counted in tasks) and, when none wait, one `BLMOVE` blocks for the next
 * (a pushed message wakes one blocked worker, never all). Outcomes finished
 * in one event-loop turn leave in one `MULTI`: an `RPUSH` per client reply
 * list, the `LREM` of every finished message from the in-flight list, and
 * the re-queue of tasks whose local process died. Every second the worker
 * renews its heartbeat key (TTL 3 s) and runs the reaper, which re-queues
 * the in-flight messages of workers whose heartbeat expired (scripts.ts).
 * A message therefore leaves the in-flight list only after its outcomes
 * were pushed: a task may run twice, never zero times (at-least-once).
 *
 * Messages are untrusted (anyone who can write to the pool's keys can
 * write one). One that can't be read — no header, fields of the wrong
 * type, a reply key outside this pool — goes to the dead-letter list with
 * its reason (scripts.ts checks headers, wire.ts bodies), is reported on
 * stderr in one line, and the worker goes on serving. A task naming a
 * module the worker does not serve (task-gate.ts) is refused: its client
 * gets a TaskRefusedError, and stderr a line.
 */
import { ABANDONED, blockingCall } from '../redis/blocking-call.js'
import type { ClusterConnection } from '../redis/connection.js'
import { LOCAL_CRASH, LocalRunner } from './local-runner.js'
import { HEARTBEAT_EVERY_MS, HEARTBEAT_TTL_MS, PoolKeys, REPLY_TTL_MS, beatScript, deadLetterScript, leaveScript, reapScript, takeScript } from './scripts.js'
import { TaskGate, TaskRefusedError } from './task-gate.js'
import { CRASHED, FAILED, UnreadableMessage, readTaskMessage, resultReply, taskMessage, toWire, type TaskBody, type TaskHeader } from './wire.js'

/** How long one BLMOVE blocks (ms): a stopping worker waits for it to return rather than abandon a command that may move a message. */
const TAKE_BLOCK_MS = 1000

interface Held {
  message: Buffer
  left: number
}

/** @internal Runs one worker until `signal` aborts and its tasks in hand finished. */
export class ClusterWorker {
  readonly #cluster: ClusterConnection
  readonly #keys: PoolKeys
  readonly #id: string
  readonly #concurrency: number
  readonly #runner: LocalRunner
  readonly #inflight: string
  readonly #held = new Map<string, Held>()
  /** Messages finished whose LREM is not confirmed yet (adoption must not run them again). */
  readonly #acking = new Set<string>()
  #inHand = 0
  #room: (() => void) | undefined
  #replies = new Map<string, unknown[]>()
  #finished: Array<[key: string, message: Buffer]> = []
  #retries: Buffer[] = []
  #flushScheduled = false
  #flushing: Promise<void> = Promise.resolve()
  readonly #gate: TaskGate
  readonly #log: (line: string) => void

  constructor(cluster: ClusterConnection, keys: PoolKeys, concurrency: number, gate: TaskGate, log: (line: string) => void) {
    this.#cluster = cluster
    this.#keys = keys
    this.#id = cluster.clientId
    this.#concurrency = concurrency
    this.#runner = new LocalRunner(concurrency, this.#id, cluster.url, gate.root)
    this.#inflight = keys.inflight(this.#id)
    this.#gate = gate
    this.#log = log
  }

  async run(signal: AbortSignal): Promise<void> {
    const redis = this.#cluster.redis
    await this.#beat()
    const timer = setInterval(() => { this.#beat().catch(() => {}); this.#reap() }, HEARTBEAT_EVERY_MS)
    const onAbort = (): void => this.#room?.()
    signal.addEventListener('abort', onAbort, { once: true })
    // A command whose reply was lost to a dropped connection is sent again by ioredis: a take may
    // have moved messages we never saw. After every reconnect, run what our in-flight list holds.
    const onReady = (): void => { void this.#adopt() }
    redis.on('ready', onReady)
    try {
      this.#reap()
      while (!signal.aborted) {
        const budget = this.#concurrency * 2 - this.#inHand
        if (budget <= 0) {
          await new Promise<void>((resolve) => { this.#room = resolve })
          this.#room = undefined
          continue
        }
        const taken = await this.#take(budget)
        if (taken === undefined) continue
        if (taken.length > 0) {
          for (const message of taken) this.#start(message)
          continue
        }
        const one = await this.#takeBlocking()
        if (one !== null) this.#start(one)
      }
      while (this.#inHand > 0) {
        await new Promise<void>((resolve) => { this.#room = resolve })
        this.#room = undefined
      }
      await this.#flushing
    } finally {
      signal.removeEventListener('abort', onAbort)
      redis.off('ready', onReady)
      clearInterval(timer)
      await leaveScript.run(redis, [this.#inflight, this.#keys.tasks, this.#keys.alive(this.#id), this.#keys.workers], [this.#id]).catch(() => {})
      await this.#runner.close()
    }
  }

  /** Takes messages worth `budget` tasks; undefined after a failure (logged; tried again a second later). */
  async #take(budget: number): Promise<Buffer[] | undefined> {
    try {
      const [taken, refused] = await takeScript.runBuffer(this.#cluster.redis, [this.#keys.tasks, this.#inflight, this.#keys.dead], [budget, this.#keys.replies]) as [Buffer[], Buffer[]]
      for (const why of refused) this.#deadLettered(String(why))
      return taken
    } catch (error) {
      if (this.#cluster.isClosed) throw error
      this.#log(`could not take tasks (${(error as Error).message}); trying again in a second`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
      return undefined
    }
  }

  #deadLettered(reason: string): void {
    this.#log(`a message it can't read went to ${this.#keys.dead}: ${reason}`)
  }

  /** One BLMOVE (blocking-call.ts); one abandoned (a connection lost, Redis stalled) may have moved a message we never saw: adopt what our list holds. */
  async #takeBlocking(): Promise<Buffer | null> {
    let reply: unknown
    try {
      reply = await blockingCall(this.#cluster, ['BLMOVE', this.#keys.tasks, this.#inflight, 'LEFT', 'RIGHT'], performance.now() + TAKE_BLOCK_MS, undefined)
    } catch (error) {
      if (this.#cluster.isClosed) throw error
      reply = ABANDONED // an error reply (Redis still loading, say): look again shortly
    }
    if (reply !== ABANDONED) return reply as Buffer | null
    await new Promise((resolve) => setTimeout(resolve, 100))
    await this.#adopt()
    return null
  }

  /** Starts every message of our in-flight list not in hand (nor just finished): idempotent. */
  async #adopt(): Promise<void> {
    try {
      const listed = await this.#cluster.redis.lrangeBuffer(this.#inflight, 0, -1)
      for (const message of listed) this.#start(message)
    } catch {
      // The next reconnect or lost wait tries again.
    }
  }

  #beat(): Promise<unknown> {
    return beatScript.run(this.#cluster.redis, [this.#keys.alive(this.#id), this.#keys.workers], [this.#id, this.#concurrency, HEARTBEAT_TTL_MS])
  }

  #reap(): void {
    reapScript.run(this.#cluster.redis, [this.#keys.workers, this.#keys.tasks, this.#keys.dead], [this.#keys.prefix, REPLY_TTL_MS]).catch(() => {})
  }

  #start(message: Buffer): void {
    let read: { header: TaskHeader; body: TaskBody }
    try {
      read = readTaskMessage(message)
      if (!read.header.reply.startsWith(this.#keys.replies)) throw new UnreadableMessage(`its reply key ${read.header.reply.slice(0, 200)} is not one of this pool (${this.#keys.replies}…)`)
    } catch (error) {
      // Unreadable here is unreadable on every worker: out of the way, with the reason, and serving goes on.
      const reason = error instanceof UnreadableMessage ? error.message : `it can't be read (${(error as Error).message})`
      deadLetterScript.run(this.#cluster.redis, [this.#inflight, this.#keys.dead], [message, reason]).catch(() => {})
      this.#deadLettered(reason)
      return
    }
    const { header, body } = read
    // The header and first task id name this message: the ids are unique per reply list, the attempt per run.
    const key = `${header.line}#${String(body.tasks[0])}`
    if (this.#held.has(key) || this.#acking.has(key)) return
    this.#held.set(key, { message, left: header.count })
    this.#inHand += header.count
    const { fns, tasks } = body
    const refused = new Set<string>()
    for (let i = 0; i < tasks.length; i += 4) {
      const id = tasks[i] as number
      const fn = tasks[i + 1] as number
      const kind = tasks[i + 2] as number
      const payload = tasks[i + 3]
      const url = fns[fn * 2]!
      const name = fns[fn * 2 + 1]!
      const why = this.#gate.refusal(url, name)
      if (why !== undefined) {
        if (!refused.has(`${url}#${name}`)) this.#log(`refused tasks naming ${url.slice(0, 200)}#${name.slice(0, 100)} (reply to ${header.reply}): ${why}`)
        refused.add(`${url}#${name}`)
        this.#reply(header.reply, id, FAILED, toWire(new TaskRefusedError(`cluster worker ${this.#id} refuses the task ${url.slice(0, 200)}#${name.slice(0, 100)}: ${why}. A worker runs only exports of modules under its root (skein worker --root DIR, runWorker({ root })); start it where the task modules are`)))
        queueMicrotask(() => this.#taskDone(key))
        continue
      }
      void this.#runner.run(url, name, kind, payload).then(([outcome, value]) => {
        if (outcome !== LOCAL_CRASH) this.#reply(header.reply, id, outcome, value)
        else if (header.attempt >= header.maxAttempts) this.#reply(header.reply, id, CRASHED, `${value as string}, on the last of ${header.attempt} runs — maxAttempts reached`)
        else this.#retries.push(taskMessage(header.attempt + 1, header.maxAttempts, header.reply, { fns: [url, name], tasks: [id, 0, kind, payload] }))
        this.#taskDone(key)
      })
    }
  }

  #reply(key: string, id: number, outcome: number, value: unknown): void {
    let flat = this.#replies.get(key)
    if (flat === undefined) this.#replies.set(key, (flat = []))
    flat.push(id, outcome, value)
  }

  #taskDone(key: string): void {
    const held = this.#held.get(key)!
    this.#inHand--
    if (--held.left === 0) {
      this.#held.delete(key)
      this.#acking.add(key)
      this.#finished.push([key, held.message])
    }
    this.#scheduleFlush()
    this.#room?.()
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    setImmediate(() => {
      this.#flushScheduled = false
      this.#flushing = this.#flushing.then(() => this.#flush())
    })
  }

  async #flush(): Promise<void> {
    const replies = this.#replies
    const finished = this.#finished
    const retries = this.#retries
    this.#replies = new Map()
    this.#finished = []
    this.#retries = []
    if (replies.size === 0 && finished.length === 0 && retries.length === 0) return
    const multi = this.#cluster.redis.multi()
    for (const [key, flat] of replies) {
      multi.rpush(key, safeReply(flat))
      multi.pexpire(key, REPLY_TTL_MS)
    }
    if (retries.length > 0) multi.lpush(this.#keys.tasks, ...retries)
    for (const [, message] of finished) multi.lrem(this.#inflight, 1, message)
    await multi.exec().catch((error: unknown) => {
      process.stderr.write(`skein cluster worker ${this.#id}: could not send outcomes (${(error as Error).message}); their tasks will run again elsewhere\n`)
    })
    for (const [key] of finished) this.#acking.delete(key)
  }
}

/** The reply of `flat`; a value that can't be cloned becomes its task's error, the others still go. */
function safeReply(flat: unknown[]): Buffer {
  try {
    return resultReply(flat)
  } catch {
    const fixed: unknown[] = []
    for (let i = 0; i < flat.length; i += 3) {
      try {
        resultReply([flat[i + 2]])
        fixed.push(flat[i], flat[i + 1], flat[i + 2])
      } catch (error) {
        fixed.push(flat[i], FAILED, toWire(new TypeError(`the task's value can't be structured-cloned back to the client (${(error as Error).message}); return plain data`)))
      }
    }
    return resultReply(fixed)
  }
}
