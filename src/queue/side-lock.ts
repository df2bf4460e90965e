/**
 * Taking one side's lock (the put lock, the take lock, a LOCKED ring's
 * lock). It is held for a copy of one item, so a busy lock is usually free
 * again within a few hundred nanoseconds: try a little before sleeping on
 * it. Briefly, and by count rather than time: if its holder is not running
 * (the machine is busy), spinning only takes the CPU it needs.
 */
import type { Lock } from '../sync/lock.js'

const TRY = { blocking: false } as const
const SPINS = 64

/** Acquires `lock`, blocking this thread (dead holders are taken over: the caller checks `lock.recovered`). */
export function acquireSide(lock: Lock): void {
  if (lock.acquireSync(TRY)) return
  for (let i = 0; i < SPINS; i++) if (!lock.locked() && lock.acquireSync(TRY)) return
  lock.acquireSync()
}
