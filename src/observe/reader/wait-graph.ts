/**
 * The wait-for graph of a set of registries: each thread's waits with who
 * could end them (a lock's live holder, a semaphore's permit holders, the
 * thread joined), and the deadlocks in it (graph.ts), in the JSON shape of
 * schema.ts. Used by the full snapshot and by a waiter's own check
 * (deadlock.ts), which reads only the registries its chain leads to.
 */
import * as L from '../layout.js'
import { findDeadlocks, type GraphThread, type GraphWait } from '../graph.js'
import type { CycleMember, Deadlock, ThreadSnapshot, ThreadRef, WaitInfo } from '../schema.js'
import { cpuMs } from './proc.js'
import type { RegistryView, WaitView } from './registry.js'
import { keyOf, readWords } from './structs.js'

/** A thread of the graph, with its registry and its JSON form. */
export interface ThreadNode extends GraphThread<EdgeWait> {
  info: ThreadSnapshot
  view: RegistryView
}

/** A wait of the graph, with its record and its JSON form. */
export interface EdgeWait extends GraphWait {
  info: WaitInfo
  view: WaitView
}

/** The key of a thread in the graph. */
export function keyFor(v: { pid: number; tid: number }): string {
  return `${v.pid}:${v.tid}`
}

/** Semaphore permit holders by struct key. */
export function permitHoldersOf(views: Iterable<RegistryView>): Map<string, RegistryView[]> {
  const holders = new Map<string, RegistryView[]>()
  for (const v of views) {
    for (const p of v.permits) {
      const key = keyOf(p.place.token, p.place.offset)
      const list = holders.get(key) ?? []
      list.push(v)
      holders.set(key, list)
    }
  }
  return holders
}

/** The graph's threads (one per registry), their waits resolved to releasers among `views`. */
export function threadNodes(views: RegistryView[], withCpu = true): Map<string, ThreadNode> {
  const byTid = new Map<number, RegistryView>()
  for (const v of views) byTid.set(v.tid, v)
  const permitHolders = permitHoldersOf(views)
  const nodes = new Map<string, ThreadNode>()
  for (const v of views) {
    const info: ThreadSnapshot = {
      pid: v.pid,
      tid: v.tid,
      name: v.threadName,
      role: v.role,
      parentTid: v.parentTid,
      start: v.start,
      cpuMs: withCpu ? cpuMs(v.pid, v.tid) ?? null : null,
      holds: [],
      waits: [],
    }
    if (v.waitOverflow > 0) info.moreWaits = v.waitOverflow
    nodes.set(keyFor(v), { key: keyFor(v), info, view: v, waits: [] })
  }
  for (const node of nodes.values()) {
    for (const w of node.view.waits) {
      const info: WaitInfo = { kind: w.kind, name: w.name, op: w.op, form: w.async ? 'async' : 'sync', since: w.since }
      if (w.line !== undefined) info.line = w.line
      let releasers = releasersOf(w, byTid, permitHolders, info)
      if (releasers !== undefined) info.heldBy = releasers.map((k) => refOf(nodes.get(k)!))
      // A thread blocked on a Lock it holds itself: acquireSync refuses that at once unless it has a
      // timeout, so this is a Lock used as a binary semaphore, which another thread releases (Python
      // allows any thread to release a Lock). Not a deadlock: anyone may end this wait.
      if (w.kind === 'Lock' && !w.async && releasers?.length === 1 && releasers[0] === node.key) releasers = undefined
      node.info.waits.push(info)
      node.waits.push({ releasers, async: w.async, info, view: w })
    }
  }
  return nodes
}

/** Who can end wait `w`: a lock's live holder, a semaphore's permit holders, a joined thread; undefined if anyone can (or the holder is not among the registries read). */
function releasersOf(w: WaitView, byTid: Map<number, RegistryView>, permitHolders: Map<string, RegistryView[]>, info: WaitInfo): string[] | undefined {
  switch (w.kind) {
    case 'Lock':
    case 'RLock': {
      const owner = readWords(w.place, 1)?.[0] ?? 0
      if (owner === 0) return undefined
      const holder = byTid.get(owner & L.OWNER_TID_MASK)
      if (holder === undefined) return undefined
      if (holder.ownerId !== owner) {
        info.heldByGone = { tid: owner & L.OWNER_TID_MASK }
        return undefined
      }
      return [keyFor(holder)]
    }
    case 'Semaphore':
    case 'BoundedSemaphore': {
      // A permit is free (released, not yet taken by the waiter, which is about to): the wait can end.
      if ((readWords(w.place, 1)?.[0] ?? 0) > 0) return undefined
      const holders = permitHolders.get(keyOf(w.place.token, w.place.offset))
      return holders === undefined ? undefined : holders.map(keyFor)
    }
    case 'Thread':
    case 'Process': {
      const target = byTid.get(w.target)
      return target === undefined ? undefined : [keyFor(target)]
    }
    default:
      return undefined
  }
}

/** The deadlocks among `nodes`, in the JSON shape: each member holds what the previous one waits for. */
export function deadlocksOf(nodes: Map<string, ThreadNode>): Deadlock[] {
  return findDeadlocks(nodes.values()).map((c): Deadlock => ({
    certain: c.certain,
    cycle: c.members.map((m, i): CycleMember => {
      const previous = c.members[(i + c.members.length - 1) % c.members.length]!.wait.info
      const w = m.wait.info
      const waitsFor: CycleMember['waitsFor'] = { kind: w.kind, name: w.name, op: w.op, form: w.form, since: w.since }
      if (w.line !== undefined) waitsFor.line = w.line
      // A thread being joined holds nothing: the previous member waits for it to end.
      const holds = previous.op === 'join' ? [] : [{ kind: previous.kind, name: previous.name }]
      return { ...refOf(m.thread), holds, waitsFor }
    }),
  }))
}

/** A thread as named in a wait or a cycle: a process's main thread by its process's name (`MainProcess`, `Worker-1`), others by theirs. */
function refOf(n: ThreadNode): ThreadRef {
  return { pid: n.info.pid, tid: n.info.tid, name: n.info.tid === n.info.pid && n.view.processName !== '' ? n.view.processName : n.info.name }
}
