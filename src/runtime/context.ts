/**
 * Who this process is: main process or a skein child, its name, and whether
 * it is still bootstrapping (importing its target's module).
 *
 * How it works: the child bootstrap (bootstrap.ts) records the child's
 * identity on `globalThis` under a registered symbol before importing any
 * user code, so every copy of skein loaded in the process (src and dist, say)
 * sees the same answer. Worker threads get the same record from their parent
 * thread through workerData.
 */
import { availableParallelism } from 'node:os'
import { StateError } from '../errors.js'

/** What a skein child knows about itself. */
export interface ChildInfo {
  name: string
  daemon: boolean
  parentPid: number
}

interface Context {
  child: ChildInfo | undefined
  bootstrapping: boolean
  /** True in the fork server itself: it must not start processes of its own (its children would inherit them). */
  forkServer?: boolean
}

const kContext = Symbol.for('skein.process.context')
const g = globalThis as unknown as Record<symbol, Context | undefined>

/** This JS thread's process context (shared by every loaded copy of skein). */
export function context(): Context {
  return (g[kContext] ??= { child: undefined, bootstrapping: false })
}

/**
 * Throws Python's error when a child (process or thread) tries to start
 * another while it is still importing its target's module: that is an
 * unguarded top-level `start()` (or `new Pool()`, …) that would otherwise
 * fork without end. `what` names the call.
 */
export function assertNotBootstrapping(what = 'start()'): void {
  if (context().bootstrapping) {
    throw new StateError(`${what} called while the child is still bootstrapping: guard it with isMainProcess() (or isMainThread() for threads) — module top-level code runs again in every child, like \`if __name__ == "__main__":\` in Python`)
  }
}

/**
 * True in the process the user started; false in processes started by skein.
 * The TypeScript spelling of Python's `if __name__ == '__main__':` guard.
 *
 * @example
 * import { Process, isMainProcess } from 'skein'
 * export function work() { console.log('in the child') }
 * if (isMainProcess()) await new Process({ target: work }).start()
 */
export function isMainProcess(): boolean {
  return context().child === undefined
}

/** A description of the current process. */
export interface ProcessInfo {
  name: string
  pid: number
  daemon: boolean
}

/**
 * The current process: `MainProcess` in the main process, the `Process`'s
 * name in a child.
 *
 * @example
 * import { currentProcess } from 'skein'
 * console.log(currentProcess().name) // MainProcess
 */
export function currentProcess(): ProcessInfo {
  const child = context().child
  return { name: child?.name ?? 'MainProcess', pid: process.pid, daemon: child?.daemon ?? false }
}

/**
 * The parent of a skein child (`{ pid }`), or `null` in the main process.
 *
 * @example
 * import { parentProcess } from 'skein'
 * console.log(parentProcess()) // null in the main process
 */
export function parentProcess(): { pid: number } | null {
  const child = context().child
  return child === undefined ? null : { pid: child.parentPid }
}

/**
 * The number of CPUs this process may use (`os.availableParallelism()`).
 *
 * @example
 * import { cpuCount } from 'skein'
 * console.log(cpuCount())
 */
export function cpuCount(): number {
  return availableParallelism()
}
