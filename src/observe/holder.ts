/**
 * Who holds a lock, in words, for errors that point at the culprit: a lock's
 * owner word (thread id + generation, sync/identity.ts) turned into the
 * holder's process, thread name and role, read from its registry. Called on
 * slow paths only (a timed-out acquire).
 */
import { OWNER_TID_BITS, OWNER_TID_MASK } from './layout.js'
import { processOf, registryFds } from './reader/proc.js'
import { readRegistry } from './reader/registry.js'

/**
 * "held by thread "worker" (tid 4312) of process "Process-1" (pid 4310), a
 * pool worker" for a lock whose owner word is `owner`; `waitedSince`
 * (epoch ms) bounds how long it has been held at least.
 *
 * @example
 * // internal: timedOut(`Lock "orders".acquire()`) appends describeHolder(owner, since)
 */
export function describeHolder(owner: number, waitedSince?: number): string {
  if (owner === 0) return 'nobody holds it now (it was released as the wait timed out)'
  const tid = owner & OWNER_TID_MASK
  const at = waitedSince === undefined ? '' : `, held for at least ${seconds(Date.now() - waitedSince)} (since this call began waiting)`
  const pid = processOf(tid)
  if (pid === undefined) return `held by thread ${tid}, which has ended: the next acquirer recovers it`
  const view = registryFds(pid).map((fd) => readRegistry(pid, fd)).find((v) => v?.tid === tid)
  if (view === undefined) return `held by thread ${tid} of process ${pid}${at}`
  if (view.ownerId !== owner) {
    return `held by a Thread that ran on thread ${tid} of process ${pid} and has returned (generation ${owner >>> OWNER_TID_BITS}): the next acquirer recovers it`
  }
  const thread = view.tid === pid ? `the main thread "${view.threadName}"` : `thread "${view.threadName}" (tid ${tid})`
  return `held by ${thread} of process "${view.processName || '?'}" (pid ${pid}), a ${view.role}${at}`
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`
}
