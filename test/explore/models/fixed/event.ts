// Model of src/sync/event.ts on the fixed branch (waits): one word, STATE =
// generation << 1 | flag. set() is one CAS (g, clear) → (g + 1, set); clear()
// drops the flag and keeps g; a waiter reads STATE once and sleeps on exactly
// that value, returning true as soon as STATE differs from it.
import { and, cas, futexWake, load, scoped, type Proc } from '../../ops.js'
import { eventSet, eventWaitBegins, eventWaitReturned } from '../../contracts.js'
import { waitLoop, type WaitCore } from '../wait-core.js'
import type { EventProtocol } from '../../scenarios/event.js'

const FLAG = 1
const W = (e: string) => ({ STATE: `${e}.STATE`, WAITERS: `${e}.WAITERS` })

const set = scoped(function* (e: string): Proc<void> {
  const w = W(e)
  for (;;) {
    const state = yield* load(w.STATE, 'set: state = STATE')
    if ((state & FLAG) !== 0) return // already set: whoever set it woke the waiters of that moment
    if ((yield* cas(w.STATE, state, (state + 2) | FLAG, 'set: CAS (g, clear) -> (g + 1, set)')) === state) break
  }
  yield* eventSet(e)
  if ((yield* load(w.WAITERS, 'set: waiting?')) > 0) yield* futexWake(w.STATE, Infinity, 'set: wake all')
})

const clear = scoped(function* (e: string): Proc<void> {
  yield* and(W(e).STATE, ~FLAG, 'clear: STATE &= ~flag')
})

const wait = (core: WaitCore) => scoped(function* (e: string, who: string, form: { async?: boolean }): Proc<boolean> {
  const w = W(e)
  const seen = yield* load(w.STATE, 'wait: seen = STATE')
  const since = yield* eventWaitBegins(e)
  if ((seen & FLAG) !== 0) return true
  const ok = yield* waitLoop(core, { SEQ: w.STATE, WAITERS: w.WAITERS }, function* (state) {
    return state !== seen
  }, form)
  yield* eventWaitReturned(e, who, since)
  return ok
})

export const fixedEvent = (core: WaitCore): EventProtocol => ({
  label: core.sleepOnLateRead ? `fixed, ${core.label}` : 'fixed',
  words: (e) => ({ [`${e}.STATE`]: 0, [`${e}.WAITERS`]: 0 }),
  set,
  clear,
  wait: wait(core),
})
