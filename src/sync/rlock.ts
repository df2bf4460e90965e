/**
 * RLock: Python's re-entrant lock, one object for tasks, threads and processes.
 */
import { OwnedLock } from './owned-lock.js'
import { registerKind } from '../shm/handle.js'
import { reviveAt } from '../shm/arena.js'
import { nameFrom, revivedName, type NameOptions } from '../observe/names.js'

/**
 * A re-entrant lock: the owning thread may acquire it again, and must release
 * it as many times.
 *
 * @example
 * import { RLock } from 'skein'
 * const r = new RLock()
 * r.acquireSync(); r.acquireSync()   // same thread: fine
 * r.release(); r.release()
 *
 * Semantics: ownership is per thread (Python's rule), so tasks of one thread
 * share it; `release()` by a thread that does not own it throws `RangeError`.
 * If the owner dies, the next waiter takes it over with depth 1 and
 * `recovered === true`.
 */
export class RLock extends OwnedLock {
  constructor(opts?: NameOptions) {
    super(true, nameFrom(opts, 'RLock', 'new RLock()'))
  }

  protected get kind(): string {
    return 'RLock'
  }
}

registerKind('RLock', (d, segment) => reviveAt(d, segment, () => new RLock({ name: revivedName(d, 'RLock') })))
