/**
 * Who holds a lock, in words, for errors that point at the culprit: a lock's
 * owner word (thread id + generation, sync/identity.ts) turned into the
 * holder's process, thread name and role, read from its registry. Called on
 * slow paths only (a timed-out acquire).
 */
import { readFileSync, statSync } from 'node:fs'
import { OWNER_TID_BITS, OWNER_TID_MASK } from './layout.js'
import { processOf, registryFds } from './reader/proc.js'
import { readRegistry, type RegistryView } from './reader/registry.js'
import { treeRegistries } from './reader/related.js'

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
  return `held by ${threadWords(view)}, a ${view.role}${at}`
}

/**
 * Who holds the permits of the semaphore at (`token`, `offset`), as the
 * registries of this process's tree record them: "all permits are held: 2
 * by thread "a" (tid 12) of process "Worker-1" (pid 10), 1 by …".
 */
export function describePermitHolders(token: string, offset: number, left: number): string {
  const holders = treeRegistries().flatMap((v) => {
    const count = v.permits.filter((p) => p.place.token === token && p.place.offset === offset).reduce((n, p) => n + p.count, 0)
    return count > 0 ? [`${count} by ${threadWords(v)}`] : []
  })
  const state = left > 0 ? `${left} permit${left === 1 ? ' is' : 's are'} free again now` : 'no permit is free'
  if (holders.length === 0) return `${state}; no holder is recorded (permits released by another thread than the one that took them, or held by a process that ended)`
  return `${state}; held: ${holders.join(', ')}`
}

/**
 * Who holds the flock(2) lock on `path`, from /proc/locks (the kernel
 * lists each FLOCK with its owner's pid and the file's device and inode).
 */
export function describeFileHolder(path: string): string {
  let ino: number
  try {
    ino = statSync(path).ino
  } catch {
    return 'the file is gone'
  }
  let table: string
  try {
    table = readFileSync('/proc/locks', 'latin1')
  } catch {
    return 'its holder is unknown (/proc/locks cannot be read)'
  }
  const pids = new Set<number>()
  for (const line of table.split('\n')) {
    // "1: FLOCK  ADVISORY  WRITE 12345 08:01:131074 0 EOF" (a "->" marks a waiter)
    const m = /^\d+:\s+FLOCK\s+\S+\s+\S+\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line)
    if (m !== null && Number(m[2]) === ino) pids.add(Number(m[1]))
  }
  if (pids.size === 0) return 'no process holds it now'
  return `held by ${[...pids].map(processWords).join(', ')}`
}

/** A process in words: its skein name if it has a registry, else its command name. */
function processWords(pid: number): string {
  const main = registryFds(pid).map((fd) => readRegistry(pid, fd)).find((v) => v?.tid === pid)
  if (main !== undefined) return `process "${main.processName || '?'}" (pid ${pid})`
  try {
    return `process ${readFileSync(`/proc/${pid}/comm`, 'latin1').trim()} (pid ${pid}, not using skein)`
  } catch {
    return `process ${pid}`
  }
}

/**
 * Who else has the queue whose segment has `token`, for a timed-out get or
 * put: how many threads and processes hold a handle to it (their registries'
 * object records, in this process's tree), and how many of them sleep in get
 * and in put right now (`getters`, `putters`: the ring's wait counts).
 */
export function describeQueuePeers(token: string, getters: number, putters: number): string {
  const holders = treeRegistries().filter((v) => v.objects.some((o) => o.place.token === token))
  const processes = new Set(holders.map((v) => v.pid)).size
  const who = holders.length <= 1
    ? 'no other thread or process holds it'
    : `${holders.length} threads in ${processes} process${processes === 1 ? '' : 'es'} hold it (this one included)`
  return `${who}; ${getters} wait${getters === 1 ? 's' : ''} to get, ${putters} to put`
}

function threadWords(view: RegistryView): string {
  const process = `process "${view.processName || '?'}" (pid ${view.pid})`
  return view.tid === view.pid ? `the main thread of ${process}` : `thread "${view.threadName}" (tid ${view.tid}) of ${process}`
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`
}
