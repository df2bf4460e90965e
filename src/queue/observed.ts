/**
 * Queues and pipes as `skein top` sees them: what a sleeper on a ring's
 * wait sets waits for (observe/waiting.ts), and, for a timed-out put or get,
 * who else holds the queue and how many sleep on each side.
 */
import { describeQueuePeers } from '../observe/holder.js'
import { KIND, OP } from '../observe/layout.js'
import type { Ring } from './ring.js'
import { sleepers } from './wait-set.js'
import * as L from './layout.js'

/** Tells the registry what a sleeper on `ring` waits for: the queue or pipe direction `name`, of `kind` (KIND.Queue or KIND.Pipe). */
export function observeRing(ring: Ring, kind: number, name: string): void {
  ring.notEmpty.observed = { kind, offset: 0, name, op: kind === KIND.Pipe ? OP.recv : OP.get }
  ring.notFull.observed = { kind, offset: 0, name, op: OP.put }
  ring.joined.observed = { kind, offset: 0, name, op: OP.join }
}

/** Who else holds the ring's queue and who sleeps on it, in words (never fails: an error must not be lost for want of it). */
export function describeRingPeers(ring: Ring): string {
  const i32 = ring.memory.segment.i32
  try {
    return describeQueuePeers(ring.memory.segment.token, sleepers(i32, L.NOT_EMPTY_AT), sleepers(i32, L.NOT_FULL_AT))
  } catch {
    return 'who else holds it is unknown'
  }
}
