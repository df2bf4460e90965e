/**
 * Deadlocks in a wait-for graph, at the granularity of threads.
 *
 * How it works. A thread that waits has one wait (a blocking call) or
 * several (tasks of it awaiting). A wait can end when one of its
 * *releasers* moves: the holder of a lock, any holder of a semaphore's
 * permits, the thread being joined. A wait whose releasers are unknown (an
 * Event, a queue: anyone may set or put) or not waiting themselves can end.
 * So, as in the OR model of distributed deadlock detection (Chandy, Misra and
 * Haas, 1983), a thread is deadlocked when none of its waits can end: start
 * from "every waiting thread is stuck", mark free every thread with a wait
 * that has a free (or unknown) releaser, and repeat until nothing changes;
 * whoever is left is deadlocked. A semaphore therefore deadlocks only when
 * every permit is held inside the knot, and a thread joining itself through
 * a chain is caught like any other cycle. The report then walks each knot
 * into its cycle: who holds what the previous one waits for.
 *
 * A thread's tasks are not told apart (the lock word records the thread,
 * and tracking tasks would cost every acquire): an async wait whose releaser
 * is its own thread is counted as able to end (the holding task may be
 * running), and a cycle through an async wait is marked `certain: false`.
 */

/** A thread in the graph: `key` is unique (pid:tid). */
export interface GraphThread<W extends GraphWait = GraphWait> {
  key: string
  waits: W[]
}

/** One wait of a thread. */
export interface GraphWait {
  /** Keys of the threads that could end this wait; undefined: anyone (not in the graph). */
  releasers: string[] | undefined
  async: boolean
}

/** A cycle: each member waits (`waits[i]`) for something the next member holds. */
export interface Cycle<T extends GraphThread> {
  members: Array<{ thread: T; wait: T['waits'][number] }>
  /** Every wait in the cycle blocks its whole thread (no async wait: no doubt about which task holds what). */
  certain: boolean
}

/** The threads that can never move again, and the cycles among them. */
export function findDeadlocks<T extends GraphThread>(threads: Iterable<T>): Cycle<T>[] {
  const byKey = new Map<string, T>()
  for (const t of threads) if (t.waits.length > 0) byKey.set(t.key, t)
  const stuck = new Set(byKey.keys())
  const canEnd = (t: T, w: GraphWait): boolean => {
    if (w.releasers === undefined || w.releasers.length === 0) return true
    return w.releasers.some((r) => !stuck.has(r) || (w.async && r === t.key))
  }
  for (let moved = true; moved;) {
    moved = false
    for (const key of stuck) {
      const t = byKey.get(key)!
      if (t.waits.some((w) => canEnd(t, w))) {
        stuck.delete(key)
        moved = true
      }
    }
  }
  const cycles: Cycle<T>[] = []
  const reported = new Set<string>()
  for (const key of stuck) {
    if (reported.has(key)) continue
    const cycle = walk(byKey.get(key)!, byKey, stuck)
    reported.add(key) // a thread waiting into a cycle is stuck too, but is not in it
    if (cycle === undefined || cycle.members.some((m) => reported.has(m.thread.key) && m.thread.key !== key)) continue
    for (const m of cycle.members) reported.add(m.thread.key)
    cycles.push(cycle)
  }
  return cycles
}

/** From a stuck thread, follows stuck releasers until a thread comes round again: that loop is the cycle. */
function walk<T extends GraphThread>(start: T, byKey: Map<string, T>, stuck: Set<string>): Cycle<T> | undefined {
  const path: Array<{ thread: T; wait: T['waits'][number] }> = []
  const at = new Map<string, number>()
  let t: T | undefined = start
  while (t !== undefined && !at.has(t.key)) {
    // Prefer a step to another thread (a semaphore's holders may include the waiter itself).
    const key = t.key
    const wait: T['waits'][number] | undefined = t.waits.find((w) => w.releasers?.some((r) => r !== key && stuck.has(r))) ?? t.waits.find((w) => w.releasers?.some((r) => stuck.has(r)))
    if (wait === undefined) return undefined
    at.set(t.key, path.length)
    path.push({ thread: t, wait })
    t = byKey.get(wait.releasers!.find((r) => r !== key && stuck.has(r)) ?? key)
  }
  if (t === undefined) return undefined
  const members = path.slice(at.get(t.key)!)
  return { members, certain: members.every((m) => !m.wait.async) }
}
