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

/** A message a worker can't read: its reason goes with it to the dead-letter list. */
export class UnreadableMessage extends Error {}

/** The most tasks a message may hold (the client packs at most 256; retries carry one). */
export const MAX_TASKS_PER_MESSAGE = 4096

/**
 * Splits a task message into its header and body, checking every field a
 * worker relies on (it comes from Redis: anyone who can write there wrote
 * it). Throws {@link UnreadableMessage} with the reason.
 */
export function readTaskMessage(message: Buffer): { header: TaskHeader; body: TaskBody } {
  const end = message.indexOf(NEWLINE)
  if (end < 0 || end > 1024) throw new UnreadableMessage('no header line "attempt maxAttempts count replyKey"')
  const line = message.toString('utf8', 0, end)
  const m = /^(\d{1,9}) (\d{1,9}) (\d{1,9}) (\S+)$/.exec(line)
  if (m === null) throw new UnreadableMessage('no header line "attempt maxAttempts count replyKey"')
  const header = { attempt: Number(m[1]), maxAttempts: Number(m[2]), count: Number(m[3]), reply: m[4]!, line }
  if (header.attempt < 1 || header.maxAttempts < 1 || header.count < 1 || header.count > MAX_TASKS_PER_MESSAGE) {
    throw new UnreadableMessage("the header's numbers are out of range")
  }
  let body: unknown
  try {
    body = deserialize(message.subarray(end + 1))
  } catch (error) {
    throw new UnreadableMessage(`the body can't be deserialized (${(error as Error).message})`)
  }
  checkBody(body, header.count)
  return { header, body }
}

/** A body is `{ fns: [url, name, …], tasks: [id, fnIndex, kind, payload, …] }` with `count` tasks. */
function checkBody(body: unknown, count: number): asserts body is TaskBody {
  if (typeof body !== 'object' || body === null) throw new UnreadableMessage('the body is not an object')
  const { fns, tasks } = body as Partial<TaskBody>
  if (!Array.isArray(fns) || fns.length === 0 || fns.length % 2 !== 0 || !fns.every((f) => typeof f === 'string')) {
    throw new UnreadableMessage('the body\'s fns are not pairs of strings [moduleUrl, exportName, …]')
  }
  if (!Array.isArray(tasks) || tasks.length !== count * 4) throw new UnreadableMessage(`the body does not hold the ${count} tasks its header counts`)
  for (let i = 0; i < tasks.length; i += 4) {
    const [id, fn, kind, payload] = [tasks[i], tasks[i + 1], tasks[i + 2], tasks[i + 3]]
    if (!Number.isSafeInteger(id) || !Number.isInteger(fn) || (fn as number) < 0 || (fn as number) >= fns.length / 2 ||
      ![CALL, MAP, STARMAP].includes((kind as number) & ~HANDLES) || ((kind as number) & ~(HANDLES | 3)) !== 0 || !Array.isArray(payload)) {
      throw new UnreadableMessage(`task ${i / 4} of the body is not [id, fnIndex, kind, payload array]`)
    }
  }
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

/** A task's error as thrown on the worker: same name and message, the remote stack as `cause` (anything else read is described, not trusted). */
export function fromWire(wire: unknown): Error {
  const { name, message, stack } = (typeof wire === 'object' && wire !== null ? wire : {}) as Partial<WireError>
  if (typeof name !== 'string' || typeof message !== 'string') return new Error(`a task failed with an error that can't be read (${typeof wire}); something else wrote to the reply list`)
  const Ctor = Object.hasOwn(STANDARD, name) ? STANDARD[name]! : Error
  const error = new Ctor(message, typeof stack === 'string' ? { cause: stack } : undefined)
  if (error.name !== name) Object.defineProperty(error, 'name', { value: name, configurable: true, writable: true, enumerable: false })
  return error
}

/** The error of a task whose runs all ended with their worker dying. */
export function crashError(reason: string): WorkerCrashedError {
  return new WorkerCrashedError(undefined, reason)
}
