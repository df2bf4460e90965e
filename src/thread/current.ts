/**
 * Which thread "I" am: `MainThread` in a process's main thread, the
 * `Thread`'s name inside a skein worker. Kept per JS thread on globalThis
 * (under a registered symbol, shared by every loaded copy of skein).
 */
import { isMainThread as nodeIsMainThread, threadId } from 'node:worker_threads'
import { native } from '../native.js'

/** A description of a thread. */
export interface ThreadInfo {
  name: string
  /** worker_threads' threadId (0 for the main thread). */
  ident: number
  /** The kernel thread id. */
  nativeId: number
  daemon: boolean
}

const kCurrent = Symbol.for('skein.thread.current')
const g = globalThis as unknown as Record<symbol, ThreadInfo | undefined>

/** Set by the worker bootstrap. */
export function setCurrentThread(info: ThreadInfo): void {
  g[kCurrent] = info
}

/**
 * The thread this code runs in.
 *
 * @example
 * import { currentThread } from 'skein'
 * console.log(currentThread().name) // MainThread
 */
export function currentThread(): ThreadInfo {
  return (g[kCurrent] ??= nodeIsMainThread
    ? mainThread()
    : { name: `worker-${threadId}`, ident: threadId, nativeId: native.gettid(), daemon: false })
}

/**
 * The main thread of this process.
 *
 * @example
 * import { mainThread } from 'skein'
 * console.log(mainThread().name) // MainThread
 */
export function mainThread(): ThreadInfo {
  return { name: 'MainThread', ident: 0, nativeId: process.pid, daemon: false }
}

/**
 * True in a process's main thread, false in worker threads: the guard for
 * code that starts threads (module top-level code runs again in each thread).
 *
 * @example
 * import { Thread, isMainThread } from 'skein'
 * export function work() {}
 * if (isMainThread()) await new Thread({ target: work }).start()
 */
export function isMainThread(): boolean {
  return nodeIsMainThread
}
