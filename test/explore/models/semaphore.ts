// Model of src/sync/semaphore.ts between threads (the same at 9fa64a9 and
// fixed; the wait core under it differs): COUNT, WAITERS,
// SEQ, MAX (-1: unbounded). Acquire: a CAS loop taking a permit while COUNT > 0;
// release: add to COUNT (a bounded one by CAS under MAX), then, if anyone
// waits, bump SEQ and wake every sleeper elsewhere.
import { add, cas, check, load, scoped, type Proc } from '../ops.js'
import { notify, waitLoop, type WaitCore } from './wait-core.js'
import type { SemaphoreProtocol, WaitForm } from '../scenarios/lock.js'

const W = (s: string) => ({ COUNT: `${s}.COUNT`, WAITERS: `${s}.WAITERS`, SEQ: `${s}.SEQ`, MAX: `${s}.MAX` })

const tryAcquire = scoped(function* (s: string): Proc<boolean> {
  const w = W(s)
  for (let c = yield* load(w.COUNT, '#tryAcquire: c = COUNT'); c > 0; c = yield* load(w.COUNT, '#tryAcquire: c = COUNT')) {
    if ((yield* cas(w.COUNT, c, c - 1, '#tryAcquire: CAS c -> c - 1')) === c) return true
  }
  return false
})

const acquire = scoped(function* (core: WaitCore, s: string, form: WaitForm): Proc<boolean> {
  if (yield* tryAcquire(s)) return true
  const attempt = () => tryAcquire(s)
  return yield* waitLoop(core, W(s), attempt, form)
})

const release = scoped(function* (s: string, n: number): Proc<void> {
  const w = W(s)
  const max = yield* load(w.MAX, 'release: max = MAX')
  if (max !== -1) {
    check((yield* load(w.COUNT, 'release: over the bound?')) + n <= max, 'misuse', 'released past the bound')
    for (;;) {
      const c = yield* load(w.COUNT, 'release: c = COUNT')
      check(c + n <= max, 'misuse', 'released past the bound')
      if ((yield* cas(w.COUNT, c, c + n, 'release: CAS c -> c + n')) === c) break
    }
  } else {
    yield* add(w.COUNT, n, 'release: COUNT += n')
  }
  if ((yield* load(w.WAITERS, 'release: waiting?')) > 0) yield* notify(w, Infinity, 'release: notify(n)')
})

export const semaphoreProtocol = (core: WaitCore): SemaphoreProtocol => ({
  label: `${core.label} core`,
  words: (s, permits, bounded) => ({ [`${s}.COUNT`]: permits, [`${s}.WAITERS`]: 0, [`${s}.SEQ`]: 0, [`${s}.MAX`]: bounded ? permits : -1 }),
  acquire: (s, form) => acquire(core, s, form),
  release,
})
