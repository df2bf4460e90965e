// Model of src/sync/event.ts at 9fa64a9: FLAG and GEN in separate words.
//
// Contract checked: a wait returns true only if the flag was set when it
// began or a set() happened since (no phantom wake-up); a wait never sleeps
// for ever after a set() (no lost wake-up). A set() takes effect at its store
// to FLAG (that is what isSet() sees).
import { add, check, futexWake, ghost, load, mark, scoped, store, type Proc } from '../../ops.js'
import { untilSync, until } from './wait-core.js'
import type { Model } from '../../explorer.js'

export interface EventWords {
  name: string
  FLAG: string
  GEN: string
  WAITERS: string
}

export const eventWords = (name: string): EventWords => ({ name, FLAG: `${name}.FLAG`, GEN: `${name}.GEN`, WAITERS: `${name}.WAITERS` })
const initial = (e: EventWords) => ({ [e.FLAG]: 0, [e.GEN]: 0, [e.WAITERS]: 0 })

export const set = scoped(function* (e: EventWords): Proc<void> {
  yield* store(e.FLAG, 1, 'set: FLAG = 1')
  yield* ghost((g) => {
    g[`${e.name}.sets`] = (g[`${e.name}.sets`] ?? 0) + 1
  })
  yield* add(e.GEN, 1, 'set: GEN += 1')
  if ((yield* load(e.WAITERS, 'set: waiting?')) > 0) yield* futexWake(e.GEN, Infinity, 'set: wake all')
})

export const clear = scoped(function* (e: EventWords): Proc<void> {
  yield* store(e.FLAG, 0, 'clear: FLAG = 0')
})

/** waitSync() / wait() with no timeout. */
export const wait = scoped(function* (e: EventWords, who: string, async = false): Proc<boolean> {
  const sets = (g: Record<string, number>) => g[`${e.name}.sets`] ?? 0
  if ((yield* load(e.FLAG, 'wait: isSet()')) === 1) return true
  const setsAtStart = yield* ghost(sets)
  const gen = yield* load(e.GEN, 'wait: #setSince: gen = GEN')
  const setSince = scoped(function* (): Proc<boolean> {
    if ((yield* load(e.FLAG, 'wait: attempt: isSet()')) === 1) return true
    return (yield* load(e.GEN, 'wait: attempt: GEN != gen?')) !== gen
  })
  const ok = async ? yield* until({ SEQ: e.GEN, WAITERS: e.WAITERS }, setSince, false) : yield* untilSync({ SEQ: e.GEN, WAITERS: e.WAITERS }, setSince, false)
  const setsNow = yield* ghost(sets)
  check(setsNow > setsAtStart, 'phantom wake-up', `${who}'s ${e.name}.wait() returned true, but the flag was clear when it began and no set() happened since`)
  return ok
})

/**
 * The ping-pong of the issue: A sets ping and waits for pong; B waits for
 * ping, clears it and sets pong; `rounds` hand-offs each way.
 */
export function eventPingPong(rounds: number, opts: { asyncB?: boolean } = {}): Model {
  const ping = eventWords('ping')
  const pong = eventWords('pong')
  return {
    name: `Event ping-pong today (${rounds} rounds${opts.asyncB ? ', B async' : ''})`,
    words: { ...initial(ping), ...initial(pong) },
    actors: {
      A: function* () {
        for (let r = 0; r < rounds; r++) {
          yield* mark(r)
          yield* set(ping)
          yield* wait(pong, 'A')
          yield* clear(pong)
        }
      },
      B: function* () {
        for (let r = 0; r < rounds; r++) {
          yield* mark(r)
          yield* wait(ping, 'B', opts.asyncB)
          yield* clear(ping)
          yield* set(pong)
        }
      },
    },
  }
}
