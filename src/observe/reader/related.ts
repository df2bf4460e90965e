/**
 * The registries a waiter's deadlock check needs: its own process's, then,
 * following its waits, those of the processes holding what they wait for,
 * and so on. A full scan of /proc is needed only for a semaphore (whose
 * permit holders could be anywhere): then the waiter's process tree is read.
 *
 * Registry fds are listed once per process, by thread (listed again when a
 * thread is not found), so a check reads the registries on its chain, not a scan.
 */
import { allPids, parentOf, processOf, registryFds } from './proc.js'
import { readRegistry, registryThread, type RegistryView } from './registry.js'
import { readWords } from './structs.js'
import { OWNER_TID_MASK } from '../layout.js'

/** Processes a check reads at most. */
const MAX_PROCESSES = 64

/** A process's registries: each one's fd by its thread (fixed while the thread lives), and when they were listed. */
interface Listing {
  at: number
  byTid: Map<number, number>
}
const listings = new Map<number, Listing>()
/** A thread not found in a listing younger than this is taken as gone, without listing again (ms). */
const LISTING_FRESH_MS = 1000

/** Lists process `pid`'s registries afresh, each fd's thread read from its header alone. */
function listRegistries(pid: number): Listing {
  const byTid = new Map<number, number>()
  for (const fd of registryFds(pid)) {
    const owner = registryThread(pid, fd)
    if (owner !== undefined) byTid.set(owner, fd)
  }
  const listing = { at: performance.now(), byTid }
  listings.set(pid, listing)
  if (listings.size > 256) listings.delete(listings.keys().next().value!)
  return listing
}

/** Every registry of process `pid`, read whole (from its last listing, if any). */
function registriesOf(pid: number): RegistryView[] {
  const views: RegistryView[] = []
  for (const fd of (listings.get(pid) ?? listRegistries(pid)).byTid.values()) {
    const v = readRegistry(pid, fd)
    if (v !== undefined) views.push(v)
  }
  return views
}

/** The registry of thread `tid` of process `pid` as it is now (waits and permits only), or undefined (no registry: gone, or not skein's). */
function registryOfThread(pid: number, tid: number): RegistryView | undefined {
  let listing = listings.get(pid)
  let fd = listing?.byTid.get(tid)
  if (fd !== undefined) {
    const v = readRegistry(pid, fd, true)
    if (v !== undefined && v.tid === tid) return v
  } else if (listing !== undefined && performance.now() - listing.at < LISTING_FRESH_MS) {
    return undefined
  }
  listing = listRegistries(pid)
  fd = listing.byTid.get(tid)
  const v = fd === undefined ? undefined : readRegistry(pid, fd, true)
  return v?.tid === tid ? v : undefined
}

/**
 * The registries a deadlock check of thread `tid` (of this process) needs:
 * its own, then those of the threads holding what it waits for, and so on
 * — the part of the wait-for graph it can reach, which decides whether it
 * is stuck (a thread not reached cannot matter to it). A semaphore's
 * permit holders could be anywhere: a wait on one reads the process tree.
 * A waiter among a hundred threads of its process whose lock's holder is
 * not waiting reads two registries, not a hundred (at most MAX_PROCESSES
 * processes).
 */
export function relatedRegistries(tid: number): RegistryView[] {
  const views = new Map<number, RegistryView>() // by tid
  const processes = new Set<number>()
  const pending: RegistryView[] = []
  let wholeTree = false
  const add = (v: RegistryView): void => {
    if (views.has(v.tid)) return
    views.set(v.tid, v)
    pending.push(v)
  }
  const reach = (target: number): void => {
    if (target === 0 || views.has(target)) return
    // A thread of this process known from an earlier listing needs no look at /proc for its process.
    const pid = listings.get(process.pid)?.byTid.has(target) === true ? process.pid : processOf(target)
    if (pid === undefined || (!processes.has(pid) && processes.size >= MAX_PROCESSES)) return
    processes.add(pid)
    const v = registryOfThread(pid, target)
    if (v !== undefined) add(v)
  }
  reach(tid)
  for (let v = pending.pop(); v !== undefined; v = pending.pop()) {
    for (const w of v.waits) {
      if (w.kind === 'Lock' || w.kind === 'RLock') {
        const owner = readWords(w.place, 1)?.[0] ?? 0
        if (owner !== 0) reach(owner & OWNER_TID_MASK)
      } else if (w.kind === 'Thread' || w.kind === 'Process') {
        reach(w.target)
      } else if ((w.kind === 'Semaphore' || w.kind === 'BoundedSemaphore') && !wholeTree) {
        wholeTree = true
        for (const other of treeRegistries()) add(other)
      }
    }
  }
  return [...views.values()]
}

/** The registries of this process's tree (see {@link processTree}). */
export function treeRegistries(): RegistryView[] {
  return processTree().flatMap((pid) => registriesOf(pid))
}

/** This process's tree: from its oldest ancestor that uses skein, every descendant that does. */
function processTree(): number[] {
  let root = process.pid
  for (let p = parentOf(root), hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf(p), hops++) {
    if (registriesOf(p).length > 0) root = p
  }
  const parents = new Map<number, number>()
  for (const pid of allPids()) {
    const ppid = parentOf(pid)
    if (ppid !== undefined) parents.set(pid, ppid)
  }
  const tree: number[] = []
  for (const pid of parents.keys()) {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && hops < 64; p = parents.get(p), hops++) {
      if (p === root) {
        tree.push(pid)
        break
      }
    }
  }
  return tree
}
