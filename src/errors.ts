/**
 * The whole error hierarchy of skein, in one place.
 *
 * Every error has a stable `code` (for programs) and a message that says what
 * was wrong and what to do instead (for people). Errors that crossed a thread
 * or process boundary come back as {@link RemoteError} or with their original
 * name, and keep the remote stack in `cause`.
 *
 * @example
 * import { Queue, QueueEmptyError } from 'skein'
 * const q = new Queue<number>()
 * try { q.getNowait() } catch (e) { if (e instanceof QueueEmptyError) console.log(e.code) }
 */
import type { CycleMember } from './observe/schema.js'

/** Base class of every skein-specific error. */
export class SkeinError extends Error {
  /** A stable, machine-readable identifier, e.g. `'ERR_SKEIN_QUEUE_FULL'`. */
  readonly code: string
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/**
 * @internal Gives `error` a message written only when something reads it
 * (its `message`, `stack`, `String(error)`): a timeout's description of who
 * holds what reads other processes' registries through /proc, and code that
 * polls with short timeouts and drops the error must not pay for that. What
 * the description needs from the moment of the timeout, `describe` must
 * have captured already.
 */
export function describedLater<E extends Error>(error: E, describe: () => string): E {
  let message: string | undefined
  Object.defineProperty(error, 'message', {
    get: () => (message ??= describe()),
    set: (value: string) => { message = value },
    configurable: true,
    enumerable: false,
  })
  return error
}

/**
 * A non-blocking or timed `put` found the queue full.
 *
 * @example
 * import { Queue, QueueFullError } from 'skein'
 * const q = new Queue<number>(1); q.putNowait(1)
 * try { q.putNowait(2) } catch (e) { console.log((e as QueueFullError).item) } // 2
 */
export class QueueFullError<T = unknown> extends SkeinError {
  /** The item that did not fit; it was not enqueued. */
  readonly item: T
  constructor(item: T, message = 'the queue is full: wait with put({ timeout }), or make the queue larger') {
    super(message, 'ERR_SKEIN_QUEUE_FULL')
    this.item = item
  }
}

/**
 * A non-blocking or timed `get` found the queue empty.
 *
 * @example
 * import { Queue, QueueEmptyError } from 'skein'
 * try { new Queue().getNowait() } catch (e) { console.log(e instanceof QueueEmptyError) } // true
 */
export class QueueEmptyError extends SkeinError {
  constructor(message = 'the queue is empty: wait with get({ timeout }), or check empty() first') {
    super(message, 'ERR_SKEIN_QUEUE_EMPTY')
  }
}

/**
 * A `Barrier` was broken (aborted, reset while waiting, a wait timed out, or
 * its action threw) while or before this party waited.
 *
 * @example
 * import { Barrier, BrokenBarrierError } from 'skein'
 * const b = new Barrier(2); b.abort()
 * await b.wait().catch((e) => console.log(e instanceof BrokenBarrierError)) // true
 */
export class BrokenBarrierError extends SkeinError {
  constructor(message = 'the barrier is broken: call reset() before using it again') {
    super(message, 'ERR_SKEIN_BROKEN_BARRIER')
  }
}

/**
 * A read found the other end closed and nothing left to read.
 *
 * @example
 * import { Pipe, EOFError } from 'skein'
 * const [a, b] = Pipe(); b.close()
 * await a.recv().catch((e) => console.log(e instanceof EOFError)) // true
 */
export class EOFError extends SkeinError {
  constructor(message = 'the other end is closed and nothing is left to read') {
    super(message, 'ERR_SKEIN_EOF')
  }
}

/**
 * A `put` (or `send`) on a queue that was closed with `close()`.
 *
 * @example
 * import { Queue, QueueClosedError } from 'skein'
 * const q = new Queue<number>(); q.close()
 * try { q.putNowait(1) } catch (e) { console.log(e instanceof QueueClosedError) } // true
 */
export class QueueClosedError<T = unknown> extends SkeinError {
  /** The item that was refused; it was not enqueued. */
  readonly item: T
  constructor(item: T, message = 'the queue is closed: nothing more can be put in it. Readers take what is left, then see EOFError (for await ends)') {
    super(message, 'ERR_SKEIN_QUEUE_CLOSED')
    this.item = item
  }
}

/**
 * A call the object's state does not allow now: used before `start()`,
 * after `close()`/`terminate()`/`shutdown()`, started twice, a Condition
 * notified without its lock (Python raises ValueError, RuntimeError or
 * AssertionError for these). The message says what to do instead.
 *
 * @example
 * import { Manager, StateError } from 'skein'
 * try { new Manager().dict() } catch (e) { console.log(e instanceof StateError, (e as StateError).code) } // true ERR_SKEIN_STATE
 */
export class StateError extends SkeinError {
  constructor(message: string, code = 'ERR_SKEIN_STATE', options?: ErrorOptions) {
    super(message, code, options)
  }
}

/**
 * A queue's or pipe's shared memory holds something no queue could have
 * written there (a length, offset or tag out of range): another program, or
 * a bug, wrote into its segment. The operation stopped before using it; the
 * queue can't be trusted any more (its items may be lost).
 *
 * @example
 * import { QueueCorruptError } from 'skein'
 * const e = new QueueCorruptError('Queue', 'a frame claims -24 bytes')
 * console.log(e.code, e.queue) // ERR_SKEIN_QUEUE_CORRUPT Queue
 */
export class QueueCorruptError extends SkeinError {
  /** Which queue or pipe: its class, and its name when it has one. */
  readonly queue: string
  constructor(queue: string, what: string, options?: ErrorOptions) {
    super(`${queue}: its shared memory is corrupt (${what}); something other than skein wrote into it. Nothing was taken or put; create a new queue, and find what writes into this one's segment`, 'ERR_SKEIN_QUEUE_CORRUPT', options)
    this.queue = queue
  }
}

/**
 * A blocking operation did not complete within its timeout.
 * skein's own class (`name === 'TimeoutError'`), distinct from DOMException.
 *
 * @example
 * import { withTimeout, sleep, TimeoutError } from 'skein'
 * await withTimeout(10, sleep(1000)).catch((e) => console.log(e instanceof TimeoutError)) // true
 */
export class TimeoutError extends SkeinError {
  constructor(message = 'the operation timed out: give it a longer timeout, or check what it waits for') {
    super(message, 'ERR_SKEIN_TIMEOUT')
  }
}

/**
 * An error raised in another thread or process whose class could not be
 * rebuilt here. `remoteName` is the original class name and `cause` holds the
 * remote stack as text.
 *
 * @example
 * import { RemoteError } from 'skein'
 * const e = new RemoteError('Boom', 'it broke', 'Boom: it broke\n    at work (file:///w.js:1:1)')
 * console.log(e.remoteName, e.message) // Boom it broke
 */
export class RemoteError extends SkeinError {
  /** The `name` of the error in the thread or process that raised it. */
  readonly remoteName: string
  constructor(remoteName: string, message: string, remoteStack?: string) {
    super(message, 'ERR_SKEIN_REMOTE', remoteStack === undefined ? undefined : { cause: remoteStack })
    this.remoteName = remoteName
  }
}

/**
 * A pool worker died (crashed, was killed, or exited) while running a task.
 * Only that task's result is rejected; the pool replaces the worker.
 *
 * @example
 * import { WorkerCrashedError } from 'skein'
 * console.log(new WorkerCrashedError(1234, 'SIGKILL').message)
 */
export class WorkerCrashedError extends SkeinError {
  constructor(readonly pid: number | undefined, readonly reason: string) {
    super(`the worker${pid === undefined ? '' : ` (pid ${pid})`} died while running this task (${reason}); the pool replaced it — retry the task if it is safe to run twice`, 'ERR_SKEIN_WORKER_CRASHED')
  }
}

/**
 * A wait would never end: the threads in `cycle` each hold what the previous
 * one waits for (thrown by the wait that closed the cycle, under
 * `setDeadlockPolicy('throw')` or `SKEIN_DEADLOCKS=throw`).
 *
 * @example
 * import { DeadlockError } from 'skein'
 * const e = new DeadlockError('deadlock: …', [])
 * console.log(e.code, e.cycle.length) // ERR_SKEIN_DEADLOCK 0
 */
export class DeadlockError extends SkeinError {
  /** Each member holds what the previous one waits for; this thread is one of them. */
  readonly cycle: CycleMember[]
  constructor(message: string, cycle: CycleMember[]) {
    super(message, 'ERR_SKEIN_DEADLOCK')
    this.cycle = cycle
  }
}

/**
 * A feature named by the contract that this version does not provide yet.
 *
 * @example
 * import { NotImplementedError } from 'skein'
 * console.log(new NotImplementedError('Manager').message)
 */
export class NotImplementedError extends SkeinError {
  constructor(feature: string) {
    super(`${feature} is not implemented in this version of skein yet; see docs/architecture.md for what is`, 'ERR_SKEIN_NOT_IMPLEMENTED')
  }
}

/** The error of an aborted signal: its reason, or a standard AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError')
}
