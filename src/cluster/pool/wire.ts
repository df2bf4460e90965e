/**
 * The cluster pool's messages in Redis (one concept: the wire format).
 *
 * A task message (an entry of `ns:Pool:name:tasks`) is a text header line
 * then a `v8.serialize`d {@link TaskBody}:
 *
 *     `${attempt} ${maxAttempts} ${count} ${replyKey}\n` + body
 *
 * The header is text so that the Lua scripts (scripts.ts) can read it
 * without decoding the body: `count` tells a taking worker how many tasks
 * it took, and a reaper that finds the message held by a dead worker
 * re-queues it with `attempt + 1`, or past `maxAttempts` pushes it to
 * `replyKey` as a crash record — all in one atomic script.
 *
 * A reply (an entry of the client's reply list) is one byte of kind, then:
 * - `R`: `v8.serialize` of flat triples `[taskId, outcome, value]`;
 * - `C`: a crash record, `workerId + '\n' + the task message`, written by a reaper.
 */
import { serialize, deserialize } from 'node:v8'
import { WorkerCrashedError } from '../../errors.js'

/** How a task calls its function: `fn(...args)`, a map chunk, a starmap chunk. */
export const CALL = 0
export const MAP = 1
export const STARMAP = 2
export type Kind = typeof CALL | typeof MAP | typeof STARMAP
/** Added to a task's kind when its payload holds cluster objects (encoded by handle.ts). */
export const HANDLES = 8

/** The body of a task message: function refs (`[url, name]` flattened) and flat quadruples `[id, fnIndex, kind, payload]`. */
export interface TaskBody {
  fns: string[]
  tasks: unknown[]
}

/** The header line of a task message, as parsed. */
export interface TaskHeader {
  attempt: number
  maxAttempts: number
  count: number
  reply: string
  /** The header line itself (with the first task id it names this message instance). */
  line: string
}

/** A task's outcome in a reply. */
export const OK = 1
export const FAILED = 0
export const CRASHED = 2

/** An error as plain data (its name, message and stack survive the trip). */
export interface WireError {
  name: string
  message: string
  stack?: string
}

const NEWLINE = 0x0a

/** Builds a task message. Throws (v8's DataCloneError) when a payload can't be cloned. */
export function taskMessage(attempt: number, maxAttempts: number, reply: string, body: TaskBody): Buffer {
  const head = Buffer.from(`${attempt} ${maxAttempts} ${body.tasks.length / 4} ${reply}\n`)
  return Buffer.concat([head, serialize(body)])
}

/** Splits a task message into its header and body. */
export function readTaskMessage(message: Buffer): { header: TaskHeader; body: TaskBody } {
  const end = message.indexOf(NEWLINE)
  const line = message.toString('utf8', 0, end)
  const [attempt, maxAttempts, count, reply] = line.split(' ', 4) as [string, string, string, string]
  const header = { attempt: Number(attempt), maxAttempts: Number(maxAttempts), count: Number(count), reply: line.slice(attempt.length + maxAttempts.length + count.length + 3), line }
  return { header, body: deserialize(message.subarray(end + 1)) as TaskBody }
}

/** A reply carrying task outcomes, flat triples `[id, outcome, value]`. */
export function resultReply(flat: unknown[]): Buffer {
  return Buffer.concat([Buffer.from('R'), serialize(flat)])
}

/** What a reply says: outcomes, or a message whose worker died too often. */
export type Reply = { kind: 'results'; flat: unknown[] } | { kind: 'crashed'; worker: string; ids: number[]; attempts: number }

export function readReply(reply: Buffer): Reply {
  if (reply[0] === 0x43 /* C */) {
    const end = reply.indexOf(NEWLINE)
    const { header, body } = readTaskMessage(reply.subarray(end + 1))
    const ids: number[] = []
    for (let i = 0; i < body.tasks.length; i += 4) ids.push(body.tasks[i] as number)
    return { kind: 'crashed', worker: reply.toString('utf8', 1, end), ids, attempts: header.attempt }
  }
  return { kind: 'results', flat: deserialize(reply.subarray(1)) as unknown[] }
}

/** An error as plain data; a pool's revived error keeps the remote stack in `cause`. */
export function toWire(error: unknown): WireError {
  if (error instanceof Error) {
    const stack = typeof error.cause === 'string' ? error.cause : error.stack
    return { name: error.name, message: error.message, stack }
  }
  return { name: 'Error', message: `a non-Error value was thrown: ${String(error)}` }
}

const STANDARD: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError }

/** A task's error as thrown on the worker: same name and message, the remote stack as `cause`. */
export function fromWire(wire: WireError): Error {
  const Ctor = STANDARD[wire.name] ?? Error
  const error = new Ctor(wire.message, wire.stack === undefined ? undefined : { cause: wire.stack })
  if (error.name !== wire.name) Object.defineProperty(error, 'name', { value: wire.name, configurable: true, writable: true, enumerable: false })
  return error
}

/** The error of a task whose runs all ended with their worker dying. */
export function crashError(reason: string): WorkerCrashedError {
  return new WorkerCrashedError(undefined, reason)
}
