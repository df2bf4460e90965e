/**
 * Lock: Python's `threading.Lock` / `multiprocessing.Lock`, one object for
 * tasks, threads and processes.
 */
import { OwnedLock } from './owned-lock.js'
import { registerKind } from '../shm/handle.js'
import { reviveAt } from '../shm/arena.js'
import { nameFrom, revivedName, type NameOptions } from '../observe/names.js'

/**
 * A mutual-exclusion lock that works between tasks of one thread, between
 * threads and between processes; pass it as an argument to share it.
 *
 * @example
 * import { Lock } from 'skein'
 * const lock = new Lock()
 * await lock.withLock(async () => { console.log('only one at a time') })
 *
 * Semantics: not re-entrant. Any thread may release it (Python's rule), but
 * releasing a free lock throws `RangeError`. Waiters are not queued in order
 * (like a futex mutex): whoever runs first after a release gets it.
 * `acquireSync()` by the thread that already holds it throws instead of
 * hanging forever. If the holder dies (its process is SIGKILLed, its thread
 * ends), the next waiter takes the lock over and sees `lock.recovered === true`;
 * data the dead holder was changing may be half-written, so check it.
 * An uncontended acquire+release is two atomic operations, no system call.
 */
export class Lock extends OwnedLock {
  constructor(opts?: NameOptions) {
    super(false, nameFrom(opts, 'Lock', 'new Lock()'))
  }

  protected get kind(): string {
    return 'Lock'
  }
}

registerKind('Lock', (d, segment) => reviveAt(d, segment, () => new Lock({ name: revivedName(d, 'Lock') })))
