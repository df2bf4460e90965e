// Model of the wake-ups of a Queue's NOT_EMPTY word at 9fa64a9
// (src/queue/queue.ts, ring.ts): a put commits under the ring's lock, then
// wakes one reader if any waits (notify(1, 1)); a get retries tryTake in the
// wait core's loop. The ring's lock makes tryPut/tryTake atomic, so each is
// one step here; the reader's 30 µs spin and its 200 ms re-checks are left
// out (the re-check would hide a lost wake-up as a 200 ms stall).
import { add, load, rmw, scoped, type Proc } from '../ops.js'
import { notify, waitLoop, type WaitCore } from './wait-core.js'
import type { QueueProtocol } from '../scenarios/queue.js'
import type { WaitForm } from '../scenarios/lock.js'

const W = (q: string) => ({ ITEMS: `${q}.ITEMS`, SEQ: `${q}.NOT_EMPTY`, WAITERS: `${q}.NOT_EMPTY.WAITERS` })

const tryTake = scoped(function* (q: string): Proc<boolean> {
  return (yield* rmw(W(q).ITEMS, 'take one if any', (v) => (v > 0 ? v - 1 : v), 'tryTake (under the ring lock)')) > 0
})

const put = scoped(function* (q: string): Proc<void> {
  const w = W(q)
  yield* add(w.ITEMS, 1, 'tryPut: commit (under the ring lock)')
  if ((yield* load(w.WAITERS, 'put: notEmpty.waiting?')) > 0) yield* notify(w, 1, 'put: notEmpty.notify(1, 1)')
})

const get = scoped(function* (core: WaitCore, q: string, form: WaitForm): Proc<boolean> {
  if (yield* tryTake(q)) return true
  const attempt = () => tryTake(q)
  return yield* waitLoop(core, W(q), attempt, form)
})

/** Today's queue wake-ups over `core`. */
export const todayQueue = (core: WaitCore): QueueProtocol => ({
  label: `today, ${core.label} core`,
  words: (q) => ({ [`${q}.ITEMS`]: 0, [`${q}.NOT_EMPTY`]: 0, [`${q}.NOT_EMPTY.WAITERS`]: 0 }),
  put,
  get: (q, form) => get(core, q, form),
})
