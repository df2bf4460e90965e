/**
 * Observability: what `skein top` reads, from inside a program — a snapshot
 * of every process and thread using skein, and the deadlock policy.
 *
 * @example
 * import { snapshot, setDeadlockPolicy } from 'skein'
 * setDeadlockPolicy('throw')
 * console.log(snapshot().deadlocks.length) // 0
 */
export { snapshot, type SnapshotOptions } from './snapshot/snapshot.js'
export { setDeadlockPolicy, deadlockPolicy, type DeadlockPolicy } from './deadlock.js'
export type { Snapshot, ProcessSnapshot, ThreadSnapshot, ThreadRef, HoldInfo, WaitInfo, QueueInfo, PoolInfo, Deadlock, CycleMember, ObjectRef } from './schema.js'
