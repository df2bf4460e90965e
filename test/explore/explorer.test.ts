// The explorer itself: on small textbook protocols it must find the classic
// defects (with the schedule), pass the correct versions, and its reductions
// must not change what it finds.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { explore, formatCounterexample, type Model } from './explorer.js'
import { add, arm, cancel, check, futexWait, futexWake, load, mark, park, store, type Proc } from './ops.js'
import { criticalSection } from './contracts.js'

/** A flag and a sequence word: the waiter reads `first`, then the other, then sleeps on SEQ. */
function flagAndSeq(seqFirst: boolean): Model {
  return {
    name: `flag + sequence word (${seqFirst ? 'SEQ read first' : 'FLAG read first'})`,
    words: { FLAG: 0, SEQ: 0 },
    actors: {
      setter: function* () {
        yield* store('FLAG', 1)
        yield* add('SEQ', 1)
        yield* futexWake('SEQ')
      },
      waiter: function* () {
        for (;;) {
          let seq = 0
          if (seqFirst) seq = yield* load('SEQ')
          if ((yield* load('FLAG')) === 1) return
          if (!seqFirst) seq = yield* load('SEQ')
          yield* futexWait('SEQ', seq)
        }
      },
    },
  }
}

/** A spin lock: test-and-set (one CAS-like exchange) or a broken load-then-store. */
function spinLock(atomic: boolean): Model {
  const user = (me: number, who: string) => function* (): Proc<void> {
    for (;;) {
      yield* mark(null) // a retry remembers nothing of the last one: spinning revisits the same states
      if (atomic) {
        if ((yield* add('L', 1)) === 0) break
        yield* add('L', -1)
      } else if ((yield* load('L')) === 0) {
        yield* store('L', me)
        break
      }
    }
    yield* criticalSection('cs', who)
    yield* store('L', 0)
  }
  return { name: `spin lock (${atomic ? 'atomic' : 'load, then store'})`, words: { L: 0, 'cs.DATA': 0 }, actors: { A: user(1, 'A'), B: user(2, 'B') } }
}

test('finds the lost wake-up of reading the state before the sequence word, with its schedule', () => {
  const r = explore(flagAndSeq(false))
  assert.equal(r.violations.length, 1)
  const v = r.violations[0]
  assert.equal(v.kind, 'lost wake-up')
  const text = formatCounterexample(r.model, v)
  assert.match(text, /waiter sleeps for ever in futexWait\(SEQ, 1\)/)
  assert.match(text, /waiter: load FLAG -> 0[\s\S]*setter: SEQ \+= 1[\s\S]*waiter: load SEQ -> 1/)
})

test('passes the same protocol with the sequence word read first', () => {
  const r = explore(flagAndSeq(true))
  assert.deepEqual(r.violations, [])
  assert.ok(r.schedules >= 2 && r.states > 10, `explored ${r.states} states, ${r.schedules} schedules`)
})

test('finds a broken mutual exclusion, passes an atomic one', () => {
  assert.equal(explore(spinLock(false)).violations[0]?.kind, 'mutual exclusion')
  assert.deepEqual(explore(spinLock(true), { maxStates: 100_000 }).violations, [])
})

test('a wake-one may pick any sleeper; a timed wait may time out or not', () => {
  // Two sleepers, one wake: whichever is picked must pass it on, or the other sleeps for ever.
  const model = (passOn: boolean): Model => ({
    name: `wake one of two (${passOn ? 'woken one passes on' : 'woken one leaves'})`,
    words: { W: 0, GO: 0 },
    actors: {
      waker: function* () {
        yield* store('GO', 1)
        yield* add('W', 1)
        yield* futexWake('W', 1)
      },
      a: () => sleeper(passOn),
      b: () => sleeper(passOn),
    },
  })
  function* sleeper(passOn: boolean): Proc<void> {
    const w = yield* load('W')
    if ((yield* load('GO')) === 1) return
    if ((yield* futexWait('W', w)) === 'woken' && passOn) yield* futexWake('W', 1)
  }
  assert.equal(explore(model(false)).violations[0]?.kind, 'lost wake-up')
  assert.deepEqual(explore(model(true)).violations, [])
  // With a timeout, nobody sleeps for ever: the explorer takes the timeout branch.
  const timed: Model = {
    name: 'a timed wait nobody wakes',
    words: { W: 0 },
    actors: {
      a: function* () {
        check((yield* futexWait('W', 0, true)) === 'timed-out', 'misuse', 'nobody wakes it')
      },
    },
  }
  const r = explore(timed)
  assert.deepEqual(r.violations, [])
  assert.equal(r.schedules, 1)
})

test('a cancelled native wait swallows a wake-one, unless it passes it on', () => {
  const model = (passOn: boolean): Model => ({
    name: `cancelled native wait (${passOn ? 'passes on' : 'swallows'})`,
    words: { W: 0 },
    actors: {
      task: function* () {
        const token = yield* arm('W', 0)
        if (token < 0) return // W moved before it armed: nothing to wait for
        if ((yield* park(token, true)) === 'timed-out') yield* cancel(token, passOn)
        else yield* futexWake('W', 1) // woken: it does not need the wake, so it hands it over
      },
      thread: function* () {
        yield* futexWait('W', 0)
      },
      waker: function* () {
        yield* add('W', 1)
        yield* futexWake('W', 1)
      },
    },
  })
  const swallowed = explore(model(false))
  assert.equal(swallowed.violations[0]?.kind, 'lost wake-up')
  assert.match(formatCounterexample(swallowed.model, swallowed.violations[0]), /woke task \(native token 0, cancelled\)/)
  assert.deepEqual(explore(model(true)).violations, [])
})

test('sleep sets do not change what is found: same complete schedules, same verdicts', () => {
  for (const model of [flagAndSeq(true), flagAndSeq(false), spinLock(true)]) {
    const reduced = explore(model, { all: true })
    const full = explore(model, { all: true, sleepSets: false })
    assert.equal(reduced.schedules, full.schedules, model.name)
    assert.deepEqual(reduced.violations.map((v) => v.kind), full.violations.map((v) => v.kind), model.name)
    assert.ok(reduced.steps <= full.steps, `${model.name}: ${reduced.steps} steps reduced, ${full.steps} full`)
  }
})
