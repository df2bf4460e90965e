/**
 * A snapshot of every process and thread of this user that uses skein:
 * registries found under /proc, locks found in their arenas, each wait's
 * releasers, queues' depths, pools, and the deadlocks (graph.ts). This is
 * what `skein top` shows and `--once --json` prints (schema.ts).
 */
import * as L from '../layout.js'
import type { PoolInfo, ProcessSnapshot, QueueInfo, Snapshot } from '../schema.js'
import { allPids, cpuMs, parentOf, registryFds } from '../reader/proc.js'
import { readRegistry, type RegistryView } from '../reader/registry.js'
import { keyOf, walkArena } from '../reader/structs.js'
import { readQueue } from './queues.js'
import { deadlocksOf, keyFor, permitHoldersOf, threadNodes, type ThreadNode } from '../reader/wait-graph.js'

/** What to look at. */
export interface SnapshotOptions {
  /** Only this process and its descendants. */
  pid?: number
}

/**
 * Reads every skein registry of this user (or of one process tree) and
 * returns what they say now.
 *
 * @example
 * import { snapshot } from 'skein'
 * for (const p of snapshot().processes) console.log(p.pid, p.name, p.threads.length)
 */
export function snapshot(opts: SnapshotOptions = {}): Snapshot {
  const views = readAll(opts.pid)
  const nodes = threadNodes(views)
  addHolds(views, nodes)
  return { version: 1, time: Date.now(), processes: group(nodes, views), deadlocks: deadlocksOf(nodes) }
}

/** What each thread holds: the locks found in every arena (by owner id), and its semaphore permits. */
function addHolds(views: RegistryView[], nodes: Map<string, ThreadNode>): void {
  const byTid = new Map<number, RegistryView>()
  for (const v of views) byTid.set(v.tid, v)
  const structName = new Map<string, string>()
  for (const v of views) {
    for (const a of v.arenas) {
      for (const s of walkArena(v.pid, a.fd, a.token, a.size)) {
        const kind = L.KIND_NAMES[s.kind] ?? 'Other'
        const name = v.text(s.nameRef) ?? `${kind}@?`
        structName.set(s.key, name)
        if ((s.kind !== L.KIND.Lock && s.kind !== L.KIND.RLock) || s.owner === 0) continue
        const holder = byTid.get(s.owner & L.OWNER_TID_MASK)
        if (holder === undefined) continue
        nodes.get(keyFor(holder))!.info.holds.push(holder.ownerId === s.owner ? { kind, name } : { kind, name, stale: true })
      }
    }
  }
  for (const [key, holders] of permitHoldersOf(views)) {
    for (const v of holders) {
      const permits = v.permits.filter((p) => keyOf(p.place.token, p.place.offset) === key).reduce((n, p) => n + p.count, 0)
      nodes.get(keyFor(v))!.info.holds.push({ kind: 'Semaphore', name: structName.get(key) ?? 'Semaphore@?', permits })
    }
  }
}

/** Every registry: of every process of this user, or of `root` and its descendants. */
function readAll(root: number | undefined): RegistryView[] {
  const views: RegistryView[] = []
  for (const pid of allPids()) {
    const fds = registryFds(pid)
    if (fds.length === 0) continue
    if (root !== undefined && !descends(pid, root)) continue
    for (const fd of fds) {
      const v = readRegistry(pid, fd)
      if (v !== undefined) views.push(v)
    }
  }
  return views
}

function descends(pid: number, root: number): boolean {
  for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf(p), hops++) {
    if (p === root) return true
  }
  return false
}

/** Threads grouped into processes, with the queues and pools their registries list (each object once). */
function group(nodes: Map<string, ThreadNode>, views: RegistryView[]): ProcessSnapshot[] {
  const processes = new Map<number, ProcessSnapshot>()
  const seen = new Set<string>()
  for (const v of views) {
    let p = processes.get(v.pid)
    if (p === undefined) {
      p = { pid: v.pid, ppid: v.ppid, name: '', role: '', start: v.start, cpuMs: cpuMs(v.pid) ?? null, threads: [], queues: [], pools: [] }
      processes.set(v.pid, p)
    }
    if (v.tid === v.pid || p.name === '') {
      p.name = v.processName
      p.role = v.role
      p.start = v.start
    }
    p.threads.push(nodes.get(keyFor(v))!.info)
    for (const o of v.objects) {
      const key = keyOf(o.place.token, o.place.offset)
      if (seen.has(key)) continue
      seen.add(key)
      if (o.kind === 'Pool' || o.kind === 'ThreadPool') p.pools.push(poolInfo(o.kind, o.name, o.stats))
      else if (o.kind === 'Queue' || o.kind === 'Pipe') {
        const state = readQueue(o.place)
        if (state !== undefined) p.queues.push({ kind: o.kind, name: o.name, ...state } satisfies QueueInfo)
      }
    }
  }
  for (const p of processes.values()) p.threads.sort((a, b) => (a.tid === p.pid ? -1 : b.tid === p.pid ? 1 : a.start - b.start))
  return [...processes.values()].sort((a, b) => a.start - b.start)
}

function poolInfo(kind: string, name: string, s: number[]): PoolInfo {
  const workers = s[L.POOL_WORKERS]!
  const busy = s[L.POOL_BUSY]!
  return { kind, name, workers, busy, idle: Math.max(0, workers - busy), backlog: s[L.POOL_BACKLOG]!, done: s[L.POOL_DONE]!, failed: s[L.POOL_FAILED]! }
}
