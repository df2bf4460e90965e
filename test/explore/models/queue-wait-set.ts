// Model of the queue's wait sets on the queues branch (src/queue/wait-set.ts
// at 1263a48): readers of NOT_EMPTY each hold a slot with its own sequence
// word; a sleeper reads its SEQ, announces itself (sets its MASK bit), makes
// its last check, and sleeps while SEQ is unchanged; a put publishes its item
// first, then reads MASK and claims one announced sleeper (clears its bit:
// whoever cleared a set bit owns the claim), then bumps that slot's SEQ and
// wakes it. Which set bit a waker tries first (its rotor) is left free. The
// ring's locks make the item count one atomic word here; the 200 ms backstop
// is left out, so a wake-up only it would rescue shows as a lost wake-up.
// Slots are fixed per actor (the slot CAS is not part of the wake protocol).
import { add, and, choose, futexWait, futexWake, load, mark, or, rmw, scoped, type Proc } from '../ops.js'
import { deadlinePassed, sleep, type WaitCore } from './wait-core.js'
import type { QueueProtocol } from '../scenarios/queue.js'
import type { WaitForm } from '../scenarios/lock.js'

const ITEMS = (q: string) => `${q}.ITEMS`
const MASK = (q: string) => `${q}.NOT_EMPTY.MASK`
const SEQ = (q: string, slot: number) => `${q}.NOT_EMPTY.SEQ${slot}`

const tryTake = scoped(function* (q: string): Proc<boolean> {
  return (yield* rmw(ITEMS(q), 'take one if any', (v) => (v > 0 ? v - 1 : v), 'tryTake (under the take lock)')) > 0
})

/** wakeOne → #claim: clear one announced bit; whoever cleared it bumps that slot and wakes it. */
const wakeOne = scoped(function* (q: string): Proc<void> {
  let bits = yield* load(MASK(q), 'wakeOne: m = MASK')
  while (bits !== 0) {
    const set = [0, 1, 2, 3].filter((i) => (bits & (1 << i)) !== 0)
    const i = set[yield* choose(set.map((b) => `claim slot ${b}`), '#claim: which announced sleeper (rotor)')]
    if (((yield* and(MASK(q), ~(1 << i), `#claim: MASK &= ~bit ${i}`)) & (1 << i)) !== 0) {
      yield* add(SEQ(q, i), 1, `#claim: slot ${i} SEQ += 1`)
      yield* futexWake(SEQ(q, i), 1, `#claim: wake slot ${i}`)
      return
    }
    bits = yield* load(MASK(q), '#claim: MASK again')
  }
})

const put = scoped(function* (q: string): Proc<void> {
  yield* add(ITEMS(q), 1, 'put: commit and publish')
  yield* wakeOne(q)
})

/**
 * Withdraws an announcement on the way out; with `passOn` (a candidate fix,
 * not in the code at 1263a48) a claim found already taken is passed on: the
 * sleeper's last attempt may have run before the change it was claimed for.
 */
const withdraw = scoped(function* (q: string, bit: number, passOn: boolean, at: string): Proc<void> {
  const was = yield* and(MASK(q), ~bit, at)
  if (passOn && (was & bit) === 0) yield* wakeOne(q)
})

/** WaitSet.waitSync: a blocked thread in slot `slot`. */
const waitSync = scoped(function* (q: string, slot: number, timed: boolean, passOn: boolean): Proc<boolean> {
  const bit = 1 << slot
  let expired = false
  for (;;) {
    yield* mark({ expired })
    const seen = yield* load(SEQ(q, slot), 'waitSync: seen = SEQ')
    yield* or(MASK(q), bit, 'waitSync: announce (MASK |= bit)')
    if (yield* tryTake(q)) {
      yield* withdraw(q, bit, passOn, 'finally: MASK &= ~bit')
      return true
    }
    if (timed && (expired || (yield* deadlinePassed('waitSync: deadline?')))) {
      yield* withdraw(q, bit, passOn, 'finally: MASK &= ~bit')
      return false
    }
    if ((yield* futexWait(SEQ(q, slot), seen, timed, 'waitSync: sleepSync(seen)')) === 'timed-out') expired = true
    yield* and(MASK(q), ~bit, 'waitSync: MASK &= ~bit')
  }
})

/**
 * WaitSet.wait with one async waiter on the handle: the pump arms
 * (announces), serves the waiter's attempt, sleeps through the wait core;
 * the waiter's timer (#expire) leaves — withdrawing the announcement and
 * passing a claim on — then makes a last attempt.
 */
const waitAsync = scoped(function* (core: WaitCore, q: string, slot: number, timed: boolean, passOn: boolean): Proc<boolean> {
  const bit = 1 << slot
  const word = { SEQ: SEQ(q, slot), WAITERS: `${SEQ(q, slot)}.WAITERS` }
  let armed = false
  let seen = 0
  for (;;) {
    yield* mark({ armed, seen })
    if (!armed) {
      seen = yield* load(SEQ(q, slot), '#arm: seen = SEQ')
      yield* or(MASK(q), bit, '#arm: announce (MASK |= bit)')
      armed = true
    }
    if (yield* tryTake(q)) {
      yield* withdraw(q, bit, passOn, '#serve: done, #disarm')
      return true
    }
    if ((yield* sleep(core, word, seen, timed)) === 'timed-out') {
      // #expire → #leave: the last waiter out withdraws the announcement and passes a claim on
      if (armed && ((yield* and(MASK(q), ~bit, '#leave: #disarm')) & bit) === 0) yield* wakeOne(q)
      yield* add(SEQ(q, slot), 1, '#leave: own slot notify (ends the pump)')
      return yield* tryTake(q) // #expire: a last attempt
    }
    if (armed && ((yield* and(MASK(q), ~bit, 'pump: after the sleep, #disarm')) & bit) === 0) {
      // claimed: the loop serves the waiter again (arm, attempt)
    }
    armed = false
  }
})

const get = (core: WaitCore, passOn: boolean) => scoped(function* (q: string, form: WaitForm, slot: number): Proc<boolean> {
  if (yield* tryTake(q)) return true
  return form.async ? yield* waitAsync(core, q, slot, form.timed ?? false, passOn) : yield* waitSync(q, slot, form.timed ?? false, passOn)
})

/** The wait sets of the queues branch over `core` (the async sleep's); `passOn`: with the candidate fix. */
export const waitSetQueue = (core: WaitCore, passOn = false): QueueProtocol => ({
  label: `wait sets (queues branch${passOn ? ' + pass a claim on when leaving' : ''}), ${core.label} core`,
  words: (q) => ({ [ITEMS(q)]: 0, [MASK(q)]: 0, [SEQ(q, 0)]: 0, [SEQ(q, 1)]: 0, [SEQ(q, 2)]: 0, [`${SEQ(q, 0)}.WAITERS`]: 0, [`${SEQ(q, 1)}.WAITERS`]: 0, [`${SEQ(q, 2)}.WAITERS`]: 0 }),
  put,
  get: get(core, passOn),
})
