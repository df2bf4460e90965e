// Model of src/sync/semaphore.ts between threads (the same at 9fa64a9 and
// fixed; the wait core under it differs): COUNT, WAITERS,
// SEQ, MAX (-1: unbounded). Acquire: a CAS loop taking a permit while COUNT > 0;
// release: add to COUNT (a bounded one by CAS under MAX), then, if anyone
// waits, bump SEQ and wake every sleeper elsewhere.
import { cas, check, load, mark, scoped, type Proc } from '../ops.js'
import { notify, waitLoop, type WaitCore } from './wait-core.js'
import type { SemaphoreProtocol, WaitForm } from '../scenarios/lock.js'

const W = (s: string) => ({ COUNT: `${s}.COUNT`, WAITERS: `${s}.WAITERS`, SEQ: `${s}.SEQ`, MAX: `${s}.MAX` })

const tryAcquire = scoped(function* (s: string): Proc<boolean> {
  const w = W(s)
  for (;;) {
    yield* mark(null) // a retry remembers nothing of the last one
    const c = yield* load(w.COUNT, '#tryAcquire: c = COUNT')
    if (c <= 0) return false
    if ((yield* cas(w.COUNT, c, c - 1, '#tryAcquire: CAS c -> c - 1')) === c) return true
  }
})

const acquire = scoped(function* (core: WaitCore, s: string, form: WaitForm): Proc<boolean> {
  if (yield* tryAcquire(s)) return true
  const attempt = () => tryAcquire(s)
  return yield* waitLoop(core, W(s), attempt, form)
})

/**
 * release(n): refuse past the bound (MAX, or 2^31 - 1 unbounded), then a CAS
 * loop adds the permits (at 9fa64a9 an unbounded release was one add: the
 * same effect, as an add cannot fail), then wake if anyone waits.
 */
const release = scoped(function* (s: string, n: number): Proc<void> {
  const w = W(s)
  const max = yield* load(w.MAX, 'release: max = MAX')
  const bound = max === -1 ? 0x7fffffff : max
  check((yield* load(w.COUNT, 'release: before = COUNT')) + n <= bound, 'misuse', 'released past the bound')
  for (;;) {
    yield* mark({ bound })
    const c = yield* load(w.COUNT, 'release: c = COUNT')
    check(c + n <= bound, 'misuse', 'released past the bound')
    if ((yield* cas(w.COUNT, c, c + n, 'release: CAS c -> c + n')) === c) break
  }
  if ((yield* load(w.WAITERS, 'release: waiting?')) > 0) yield* notify(w, Infinity, 'release: notify(n)')
})

export const semaphoreProtocol = (core: WaitCore): SemaphoreProtocol => ({
  label: `${core.label} core`,
  words: (s, permits, bounded) => ({ [`${s}.COUNT`]: permits, [`${s}.WAITERS`]: 0, [`${s}.SEQ`]: 0, [`${s}.MAX`]: bounded ? permits : -1 }),
  acquire: (s, form) => acquire(core, s, form),
  release,
})
