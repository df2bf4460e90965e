/**
 * A queue's depth and waiters, read through /proc from its ring's header in
 * another process's segment (queue/inspect.ts reads the header). Above the
 * queues in the layers, unlike the rest of the reader, which the deadlock
 * check uses from inside every primitive.
 */
import * as Q from '../../queue/layout.js'
import { queueState, type QueueState } from '../../queue/inspect.js'
import { readSegment } from '../reader/proc.js'
import type { Place } from '../reader/registry.js'

export type { QueueState }

/** The state of the queue ring at `place` (offset 0 of its own segment), or undefined. */
export function readQueue(place: Place): QueueState | undefined {
  const header = readSegment(place.pid, place.fd, place.token, 0, Q.HEADER_BYTES)
  return header === undefined ? undefined : queueState(header)
}
