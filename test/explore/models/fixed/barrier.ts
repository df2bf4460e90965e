// Model of src/sync/barrier.ts on the fixed branch (waits): STATE =
// generation << 21 | PREV_BROKEN << 20 | phase << 18 | count, SEQ (waiters
// sleep on it), RING (bit g: generation g ended broken). An arrival is one
// CAS on STATE, never repeated; ending a generation is one CAS to the next
// generation with count 0, then SEQ += 1 and wake all.
import { add, and, cas, futexWake, load, or, scoped, type Proc } from '../../ops.js'
import { arrived, barrierOutcome, released } from '../../contracts.js'
import { waitLoop, type WaitCore } from '../wait-core.js'
import type { BarrierProtocol } from '../../scenarios/barrier.js'

const COUNT = (1 << 18) - 1
const PHASE = 3 << 18
const FILLING = 0
const DRAINING = 1 << 18
const BROKEN = 2 << 18
const PREV_BROKEN = 1 << 20
const GEN_SHIFT = 21
const GENS = 1 << 11
const RING_DEPTH = 32
const WAITING = 0
const PASSED = 1
const ENDED_BROKEN = 2

const genOf = (state: number): number => state >>> GEN_SHIFT
const W = (b: string) => ({ STATE: `${b}.STATE`, SEQ: `${b}.SEQ`, WAITERS: `${b}.WAITERS`, RING: `${b}.RING` })

type Arrival = { index: number; gen: number } | 'broken'

export function fixedBarrier(core: WaitCore, form: { async?: boolean } = {}): BarrierProtocol {
  const tryArrive = scoped(function* (b: string, parties: number, who: string): Proc<Arrival | undefined> {
    for (;;) {
      const state = yield* load(W(b).STATE, '#tryArrive: state = STATE')
      const phase = state & PHASE
      if (phase === BROKEN) return 'broken'
      if (phase === DRAINING) return undefined
      const count = state & COUNT
      const next = count + 1 === parties ? (state & ~(COUNT | PHASE)) | DRAINING | parties : state + 1
      if ((yield* cas(W(b).STATE, state, next, '#tryArrive: CAS count -> count + 1')) === state) {
        yield* arrived(b, who, genOf(state))
        return { index: count, gen: genOf(state) }
      }
    }
  })

  const outcome = scoped(function* (b: string, gen: number): Proc<number> {
    const state = yield* load(W(b).STATE, '#outcome: state = STATE')
    const behind = (genOf(state) - gen) & (GENS - 1)
    if (behind === 0) return WAITING
    if (behind === 1) return (state & PREV_BROKEN) !== 0 ? ENDED_BROKEN : PASSED
    if (behind > RING_DEPTH + 1) return ENDED_BROKEN
    return ((yield* load(W(b).RING, '#outcome: RING')) & (1 << (gen & 31))) !== 0 ? ENDED_BROKEN : PASSED
  })

  const advance = scoped(function* (b: string, state: number, broken: boolean, phase: number): Proc<boolean> {
    const gen = genOf(state)
    const bit = 1 << ((gen - 1) & 31)
    if ((state & PREV_BROKEN) !== 0) yield* or(W(b).RING, bit, '#advance: RING bit g - 1 = broken')
    else yield* and(W(b).RING, ~bit, '#advance: RING bit g - 1 = passed')
    const next = (((gen + 1) & (GENS - 1)) << GEN_SHIFT) | (broken ? PREV_BROKEN : 0) | phase
    if ((yield* cas(W(b).STATE, state, next, '#advance: CAS to the next generation')) !== state) return false
    yield* add(W(b).SEQ, 1, '#advance: SEQ += 1')
    if ((yield* load(W(b).WAITERS, '#advance: waiting?')) > 0) yield* futexWake(W(b).SEQ, Infinity, '#advance: wake all')
    return true
  })

  const end = scoped(function* (b: string, gen: number, broken: boolean): Proc<boolean> {
    for (;;) {
      const state = yield* load(W(b).STATE, '#end: state = STATE')
      if (genOf(state) !== gen) return false
      if (yield* advance(b, state, broken, broken ? BROKEN : FILLING)) return true
    }
  })

  /** wait(timeout?): the index, or -1 for BrokenBarrierError. */
  const wait = scoped(function* (b: string, parties: number, who: string, timed: boolean): Proc<number> {
    const word = { SEQ: W(b).SEQ, WAITERS: W(b).WAITERS }
    const arrival = yield* waitLoop(core, word, () => tryArrive(b, parties, who), { ...form, timed })
    if (arrival === false || arrival === 'broken') return -1 // drain timeout / broken
    const { index, gen } = arrival
    if (index === parties - 1) {
      // #passed
      if (!(yield* end(b, gen, false)) && (yield* outcome(b, gen)) !== PASSED) return yield* barrierOutcome(b, gen, false, who, -1)
      yield* released(b, gen, parties, who)
      return yield* barrierOutcome(b, gen, true, who, index)
    }
    let last = yield* waitLoop(core, word, function* () {
      const o = yield* outcome(b, gen)
      return o === WAITING ? undefined : o
    }, { ...form, timed })
    // #result
    if (last === false) {
      if (yield* end(b, gen, true)) return yield* barrierOutcome(b, gen, false, who, -1) // timed out: broke it
      last = yield* outcome(b, gen)
    }
    if (last !== PASSED) return yield* barrierOutcome(b, gen, false, who, -1)
    yield* released(b, gen, parties, who)
    return yield* barrierOutcome(b, gen, true, who, index)
  })

  return {
    label: `fixed${core.sleepOnLateRead ? ` (${core.label})` : ''}${form.async ? ', async waits' : ''}`,
    words: (b) => ({ [`${b}.STATE`]: 0, [`${b}.SEQ`]: 0, [`${b}.WAITERS`]: 0, [`${b}.RING`]: 0 }),
    wait,
  }
}
