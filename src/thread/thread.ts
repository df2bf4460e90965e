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
 */
import { Server, Socket } from 'node:net'
import { MessagePort } from 'node:worker_threads'
import { native } from '../native.js'
import { Runnable, registerBase, type Backend, type RunnableOptions } from '../process/base.js'
import { startThread, type ThreadChild } from './child.js'
import { currentThread, type ThreadInfo } from './current.js'

/** Options of `new Thread(…)`. */
export type ThreadOptions = RunnableOptions

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
  launch: (job, handles) => startThread(job, handles as MessagePort[]),
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
    super(threadBackend, options, () => `Thread-${++counter}`, {})
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
