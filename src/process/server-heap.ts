/**
 * The fork server's heap, tidied once before it forks anything.
 *
 * Why: a child starts with the server's heap as copy-on-write pages, and its
 * first scavenge copies every object still young in the server, writing
 * page after page the child shares with the server — a copy-on-write fault
 * each, and on a machine with several CPUs a TLB shootdown each (the other
 * CPUs interrupted). At its first fork the server held ~2.6 MiB young (its
 * start-up, the warm-up). V8's low-memory notification before the server
 * says it is ready (full collections, the young generation shrunk to 1 MiB,
 * free pages given back: ~45 ms, once) leaves ~0.2 MiB young and a smaller
 * heap to copy page tables for at each fork; the eight fresh children of the
 * 4 + 4 queue bench went ~20% faster, and back-to-back start+join stayed as
 * it was. Measured and dropped: a plain full collection (~15 ms, but it
 * grew the committed heap from ~20 to ~28 MiB: start+join ~4 ms slower), and
 * collecting again later — once children exist, the server's collection is
 * what writes to shared pages (~100 ms instead of ~15, every page copied
 * before it is marked or moved) while no fork is served. Each fork leaves
 * ~17 KiB young behind. The queue warm-up (warm-queue.ts) runs after it: a
 * full collection after the warm-up at times dropped its optimized code
 * (Node 22). The warm-up itself leaves 0.25–1.2 MiB young (CI once saw 1.5
 * MiB), so the server then empties its young generation with two
 * scavenges (`emptyYoung`): survivors are promoted, code is left alone, no
 * child exists yet to share the pages written, and the server says ready
 * holding ~2 KiB young (reported in its ready message; the test in
 * test/process/forkserver.test.ts reads it).
 *
 * @example
 * import { tidyHeap, emptyYoung } from './server-heap.js'
 * await tidyHeap() // in the fork server, before its warm-up
 * emptyYoung()     // after it, before it says it is ready
 */
import { getHeapSpaceStatistics } from 'node:v8'
import { exposedGc } from '../runtime/gc.js'
import { native } from '../native.js'

/** Tidies the heap, then lets the loop turn once, so that the finalizers the collections queued run here rather than in a child. */
export async function tidyHeap(): Promise<void> {
  native.lowMemory()
  await new Promise((resolve) => setImmediate(resolve))
}

/** Two scavenges: the first moves what survives to the other semispace, the second promotes it, leaving the young generation empty. */
export function emptyYoung(): void {
  const gc = exposedGc()
  if (gc === null) return // a V8 without it: children begin with more young, nothing else
  gc({ type: 'minor' })
  gc({ type: 'minor' })
}

/** Bytes the young generation holds now (what a child forked now would begin with, from this heap). */
export function youngBytes(): number {
  let used = 0
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space' || s.space_name === 'new_large_object_space') used += s.space_used_size
  return used
}
