// An ideal lock: acquire is one blocking step, enabled while the lock is
// free; release frees it in one step. Models of protocols built on a Lock
// (Condition, the queue's ring) run over it: the Lock's own protocol is
// checked on its own (models/*/lock.ts), and leaving its steps out keeps
// three actors tractable. Sound as long as the real Lock meets the same
// contract: mutual exclusion, and a release lets a blocked acquire proceed.
import { awaitSet, check, exchange, scoped, type Proc } from '../ops.js'

/** The operations a protocol needs from its lock. */
export interface LockImpl {
  label: string
  words(name: string): Record<string, number>
  acquire(name: string, me: number): Proc<void>
  release(name: string, me: number): Proc<void>
  /** Condition's hooks: release fully / re-acquire after a wait (Python's _release_save / _acquire_restore). */
  releaseSave(name: string, me: number): Proc<void>
  acquireRestore(name: string, me: number): Proc<void>
}

const acquire = scoped(function* (name: string, me: number): Proc<void> {
  yield* awaitSet(`${name}.OWNER`, 0, me, 'ideal lock: acquire')
})

const release = scoped(function* (name: string, me: number): Proc<void> {
  const was = yield* exchange(`${name}.OWNER`, 0, 'ideal lock: release')
  check(was === me, 'misuse', `lock ${name} released by ${me}, held by ${was}`)
})

export const idealLock: LockImpl = {
  label: 'ideal lock',
  words: (name) => ({ [`${name}.OWNER`]: 0 }),
  acquire,
  release,
  releaseSave: release,
  acquireRestore: acquire,
}
