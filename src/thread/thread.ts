/**
 * `Thread`: run a function (or a subclass's `run()`) on a worker thread —
 * truly parallel, no GIL. Python's `threading.Thread`, on `worker_threads`.
 *
 * Semantics: like Process, the worker imports the target's module (guard
 * thread-starting code with isMainThread()) and receives arguments by
 * structured clone; SharedArrayBuffers and skein's shared objects are shared,
 * not copied; `MessagePort` arguments are transferred. Non-daemon threads
 * keep the process alive; daemon threads are unref'd and end with it.
 * Sockets cannot be passed to a thread (relay their bytes over a MessagePort).
 *
 * A Thread ends when its target returns (or throws: exit code 1), even if it
 * left timers or sockets open: those die with its worker. Threads run on
 * warm, reused workers (worker-pool.ts), so start() takes well under a
 * millisecond once a worker is idle; module-level state of the target's
 * module may persist from one Thread to the next on a worker, as Python's
 * threads share module globals. `fresh: true` gives a Thread a new worker.
 */
import { Server, Socket } from 'node:net'
import { MessagePort } from 'node:worker_threads'
import { native } from '../native.js'
import { Runnable, registerBase, type Backend, type RunnableOptions } from '../process/base.js'
import type { ThreadChild } from './child.js'
import { prewarm, startThread, type BorrowOptions } from './worker-pool.js'
import { currentThread, type ThreadInfo } from './current.js'

/** Options of `new Thread(…)`. */
export interface ThreadOptions extends RunnableOptions {
  /**
   * Run on a newly booted worker, retired afterwards, instead of a reused
   * warm one: the target's module is imported afresh (no module state left
   * by earlier Threads). Slower to start (a cold worker boot).
   */
  fresh?: boolean
}

const active = new Set<Thread>()
let counter = 0

/** The thread backend: a worker with the skein bootstrap. */
export const threadBackend: Backend = {
  kind: 'Thread',
  handles: {
    types: [MessagePort],
    refuse: [[Socket, 'cannot be passed to a thread (worker threads cannot receive sockets): pass it to a Process, or relay its bytes through a MessagePort argument'], [Server, 'cannot be passed to a thread (worker threads cannot receive sockets): pass it to a Process']],
  },
  cloneCheck(value) { structuredClone(value) },
  launch: (job, handles, options) => startThread(job, handles as MessagePort[], options as BorrowOptions),
  track(owner, alive) {
    if (alive) active.add(owner as Thread)
    else active.delete(owner as Thread)
  },
}

/**
 * A worker thread running `target(...args)`, or a subclass's `run()`.
 *
 * @example
 * import { Thread, isMainThread } from 'skein'
 * export function add(cells: Int32Array, n: number) { Atomics.add(cells, 0, n) }
 * if (isMainThread()) {
 *   const cells = new Int32Array(new SharedArrayBuffer(4))
 *   const t = new Thread({ target: add, args: [cells, 5] })
 *   await t.start(); await t.join()
 *   console.log(cells[0]) // 5
 * }
 */
export class Thread extends Runnable {
  constructor(options: ThreadOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('new Thread(options): options must be an object like { target, args }')
    if (options.fresh !== undefined && typeof options.fresh !== 'boolean') throw new TypeError('options.fresh must be a boolean (true: run on a new worker of its own)')
    super(threadBackend, options, () => `Thread-${++counter}`, { fresh: options.fresh === true } satisfies BorrowOptions)
    if (options.fresh !== true) prewarm()
  }

  /** worker_threads' threadId once started. */
  get ident(): number | undefined {
    return this.isSelf ? currentThread().ident : this.child?.id
  }

  /** The kernel thread id once started. */
  get nativeId(): number | undefined {
    return this.isSelf ? native.gettid() : (this.child as ThreadChild | undefined)?.nativeId
  }
}
registerBase(Thread)

/**
 * The number of threads alive that this thread knows of: itself plus the
 * Threads it started that still run.
 *
 * @example
 * import { activeCount } from 'skein'
 * console.log(activeCount()) // 1
 */
export function activeCount(): number {
  return enumerate().length
}

/**
 * This thread and the Threads it started that still run.
 *
 * @example
 * import { enumerate } from 'skein'
 * console.log(enumerate().map((t) => t.name)) // ['MainThread']
 */
export function enumerate(): Array<ThreadInfo | Thread> {
  return [currentThread(), ...[...active].filter((t) => t.isAlive() || (active.delete(t), false))]
}
