/**
 * The registries a waiter's deadlock check needs: its own process's, then,
 * following its waits, those of the processes holding what they wait for,
 * and so on. A full scan of /proc is needed only for a semaphore (whose
 * permit holders could be anywhere): then the waiter's process tree is read.
 *
 * Registry fds are cached per process (re-listed when a thread is not found),
 * so a check costs a few reads of /proc, not a scan.
 */
import { allPids, parentOf, processOf, registryFds } from './proc.js'
import { readRegistry, type RegistryView } from './registry.js'
import { readWords } from './structs.js'
import { OWNER_TID_MASK } from '../layout.js'

const fdCache = new Map<number, number[]>()
/** Processes a check reads at most. */
const MAX_PROCESSES = 64

function registriesOf(pid: number, fresh = false): RegistryView[] {
  let fds = fresh ? undefined : fdCache.get(pid)
  if (fds === undefined) {
    fds = registryFds(pid)
    fdCache.set(pid, fds)
    if (fdCache.size > 256) fdCache.delete(fdCache.keys().next().value!)
  }
  const views: RegistryView[] = []
  for (const fd of fds) {
    const v = readRegistry(pid, fd)
    if (v !== undefined) views.push(v)
  }
  return views
}

/**
 * The registries of this process and of every process its threads' waits
 * lead to (transitively, at most MAX_PROCESSES).
 */
export function relatedRegistries(): RegistryView[] {
  const views = new Map<number, RegistryView>() // by tid
  const loaded = new Set<number>()
  let grew = false
  let wholeTree = false
  const refreshed = new Set<number>()
  const load = (pid: number, tid?: number): void => {
    if (loaded.has(pid)) {
      // A thread started since its process's registries were listed: list them again, once.
      if (tid === undefined || views.has(tid) || refreshed.has(pid)) return
      refreshed.add(pid)
      for (const v of registriesOf(pid, true)) {
        if (views.has(v.tid)) continue
        views.set(v.tid, v)
        grew = true
      }
      return
    }
    if (loaded.size >= MAX_PROCESSES) return
    loaded.add(pid)
    let list = registriesOf(pid)
    if (tid !== undefined && !list.some((v) => v.tid === tid)) {
      refreshed.add(pid)
      list = registriesOf(pid, true)
    }
    for (const v of list) views.set(v.tid, v)
    grew = true
  }
  load(process.pid)
  while (grew) {
    grew = false
    for (const v of [...views.values()]) {
      for (const w of v.waits) {
        if (w.kind === 'Lock' || w.kind === 'RLock') {
          const owner = readWords(w.place, 1)?.[0] ?? 0
          const tid = owner & OWNER_TID_MASK
          if (owner === 0 || views.has(tid)) continue
          const pid = processOf(tid)
          if (pid !== undefined) load(pid, tid)
        } else if ((w.kind === 'Thread' || w.kind === 'Process') && !views.has(w.target)) {
          const pid = processOf(w.target)
          if (pid !== undefined) load(pid, w.target)
        } else if ((w.kind === 'Semaphore' || w.kind === 'BoundedSemaphore') && !wholeTree) {
          wholeTree = true
          for (const pid of processTree()) load(pid)
        }
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
