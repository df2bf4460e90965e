// Model of src/sync/barrier.ts at 9fa64a9 (waitSync, no timeout, no action;
// the scenarios with a timeout are for the fixed model):
// COUNT, GEN, BROKEN, RING. A party joins by CAS on COUNT; the last one
// zeroes COUNT and *then* advances GEN; a party whose CAS succeeded while GEN
// moved "retries" — and is counted again.
import { and, cas, check, futexWait, futexWake, load, mark, or, scoped, store, type Proc } from '../../ops.js'
import { arrived, countingFor, released } from '../../contracts.js'
import type { BarrierProtocol } from '../../scenarios/barrier.js'

const W = (b: string) => ({ COUNT: `${b}.COUNT`, GEN: `${b}.GEN`, BROKEN: `${b}.BROKEN`, RING: `${b}.RING` })

type Arrival = { index: number; gen: number; counted: number } | 'broken' | undefined

/** #tryArrive: one CAS attempt loop to join this generation; undefined while it is full (draining). */
const tryArrive = scoped(function* (b: string, parties: number, who: string): Proc<Arrival> {
  const w = W(b)
  let counted: number | undefined
  for (;;) {
    yield* mark({ counted })
    if ((yield* load(w.BROKEN, '#tryArrive: broken?')) === 1) return 'broken'
    const gen = yield* load(w.GEN, '#tryArrive: gen = GEN')
    const count = yield* load(w.COUNT, '#tryArrive: count = COUNT')
    if (count >= parties) return undefined
    if ((yield* cas(w.COUNT, count, count + 1, '#tryArrive: CAS COUNT count -> count + 1')) === count) {
      check(counted === undefined, 'party counted twice', `${who}'s one wait() was counted in generation ${counted} and again now`)
      counted = yield* arrived(b, who)
      if ((yield* load(w.GEN, '#tryArrive: GEN still gen?')) !== gen) continue // "raced with a reset; harmless retry"
      return { index: count, gen, counted }
    }
  }
})

/** #advance(gen, broken): record the outcome in RING, zero COUNT, then move GEN and wake all. */
const advance = scoped(function* (b: string, gen: number, broken: boolean): Proc<void> {
  const w = W(b)
  const bit = 1 << (gen & 31)
  if (broken) {
    yield* store(w.BROKEN, 1, '#advance: BROKEN = 1')
    yield* or(w.RING, bit, '#advance: RING |= bit')
  } else {
    yield* and(w.RING, ~bit, '#advance: RING &= ~bit')
  }
  yield* and(w.RING, ~(1 << ((gen + 1) & 31)), '#advance: clear next bit')
  yield* store(w.COUNT, 0, '#advance: COUNT = 0')
  yield* countingFor(b, gen + 1)
  if ((yield* cas(w.GEN, gen, gen + 1, '#advance: CAS GEN gen -> gen + 1')) === gen) yield* futexWake(w.GEN, Infinity, '#advance: wake all')
})

/** waitSync(): returns this party's index, or -1 for BrokenBarrierError. */
const wait = scoped(function* (b: string, parties: number, who: string, _timed: boolean): Proc<number> {
  const w = W(b)
  let arrival: Arrival
  for (;;) {
    arrival = yield* tryArrive(b, parties, who)
    if (arrival !== undefined) break
    yield* futexWait(w.GEN, yield* load(w.GEN, 'waitSync: drain: GEN'), false, 'waitSync: drain: sleepSync(GEN)')
  }
  if (arrival === 'broken') return -1
  const { index, gen, counted } = arrival
  if (index === parties - 1) {
    yield* released(b, counted, parties, who)
    yield* advance(b, gen, false)
    return index
  }
  for (;;) {
    if ((yield* load(w.GEN, 'waitSync: GEN moved?')) !== gen) {
      yield* released(b, counted, parties, who)
      if ((yield* load(w.RING, '#outcome: RING')) & (1 << (gen & 31))) return -1
      return index
    }
    yield* futexWait(w.GEN, gen, false, 'waitSync: sleepSync(gen)')
  }
})

export const todayBarrier: BarrierProtocol = {
  label: 'today',
  words: (b) => ({ [`${b}.COUNT`]: 0, [`${b}.GEN`]: 0, [`${b}.BROKEN`]: 0, [`${b}.RING`]: 0 }),
  wait,
}
