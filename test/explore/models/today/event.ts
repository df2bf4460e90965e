// Model of src/sync/event.ts at 9fa64a9: FLAG and GEN in separate words.
// set() stores FLAG, then bumps GEN; a waiter that checks FLAG, then reads
// GEN, can capture a GEN that a set() it already consumed has yet to bump.
import { add, futexWake, load, scoped, store, type Proc } from '../../ops.js'
import { eventSet, eventWaitBegins, eventWaitReturned } from '../../contracts.js'
import { todayCore, waitLoop } from '../wait-core.js'
import type { EventProtocol } from '../../scenarios/event.js'

const W = (e: string) => ({ FLAG: `${e}.FLAG`, GEN: `${e}.GEN`, WAITERS: `${e}.WAITERS` })

const set = scoped(function* (e: string): Proc<void> {
  const w = W(e)
  yield* store(w.FLAG, 1, 'set: FLAG = 1')
  yield* eventSet(e) // isSet() sees it from here
  yield* add(w.GEN, 1, 'set: GEN += 1')
  if ((yield* load(w.WAITERS, 'set: waiting?')) > 0) yield* futexWake(w.GEN, Infinity, 'set: wake all')
})

const clear = scoped(function* (e: string): Proc<void> {
  yield* store(W(e).FLAG, 0, 'clear: FLAG = 0')
})

/** waitSync() / wait() without a timeout. */
const wait = scoped(function* (e: string, who: string, form: { async?: boolean }): Proc<boolean> {
  const w = W(e)
  const flag = yield* load(w.FLAG, 'wait: isSet()')
  const since = yield* eventWaitBegins(e)
  if (flag === 1) return true
  const gen = yield* load(w.GEN, 'wait: #setSince: gen = GEN')
  const setSince = scoped(function* (): Proc<boolean> {
    if ((yield* load(w.FLAG, 'wait: attempt: isSet()')) === 1) return true
    return (yield* load(w.GEN, 'wait: attempt: GEN != gen?')) !== gen
  })
  const ok = yield* waitLoop(todayCore, { SEQ: w.GEN, WAITERS: w.WAITERS }, setSince, form)
  yield* eventWaitReturned(e, who, since)
  return ok
})

export const todayEvent: EventProtocol = {
  label: 'today',
  words: (e) => ({ [`${e}.FLAG`]: 0, [`${e}.GEN`]: 0, [`${e}.WAITERS`]: 0 }),
  set,
  clear,
  wait,
}
