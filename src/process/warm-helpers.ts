/**
 * What the fork server's warm-ups (warm-queue.ts, warm-pool.ts) share:
 * helper processes forked from the server to play the other side of a
 * queue, the handles kept alive for the server's life, and the registry
 * swap a child makes after its fork.
 *
 * @example
 * import { reap, startHelpers } from './warm-helpers.js'
 * reap(startHelpers(channelFd, [() => produce(q, 1000)])) // in the fork server
 */
import { native } from '../native.js'
import { forgetRegistry, identifyProcess, retireRegistry } from '../observe/registry.js'
import { forgetRecords } from '../observe/records.js'
import { runAfterForkHooks } from '../shm/after-fork.js'

/** A helper's longest wait (ms): a helper whose peer vanished ends rather than hangs. */
export const HELPER_WAIT_MS = 30_000

/** The warm-up handles, alive for the server's life (their maps are named by the compiled code). */
export const kept: object[] = []

/** Drops this process's registry and its records, as a child does after the fork. */
export function newRegistry(): void {
  retireRegistry() // its mapping lasts until it is collected: readers must not list the warm-up queue from it
  forgetRegistry()
  forgetRecords()
  identifyProcess('fork server', 'ForkServer')
}

/** Forks one helper per role; their pids. If a fork fails, the helpers already started are killed and reaped. */
export function startHelpers(channelFd: number, roles: Array<() => void>): number[] {
  const pids: number[] = []
  try {
    for (const role of roles) pids.push(helper(channelFd, role))
  } catch (error) {
    for (const pid of pids) process.kill(pid, 'SIGKILL')
    reap(pids)
    throw error
  }
  return pids
}

/** Forks a helper running `role`; its pid. */
function helper(channelFd: number, role: () => void): number {
  const pid = native.forkChild([channelFd], true)
  if (pid !== 0) return pid
  let code = 0
  try {
    runAfterForkHooks()
    if (!native.setPdeathsig(9, process.ppid)) code = 1
    else role()
  } catch {
    code = 1
  }
  return native.exitNow(code)
}

/** Waits for each helper to end (they exit at once after their role). */
export function reap(pids: number[]): void {
  for (const pid of pids) native.reapChild(pid)
}
