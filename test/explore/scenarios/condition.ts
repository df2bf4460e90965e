// Condition scenarios, for any model of the protocol (today's, the fixed one).
import type { Model } from '../explorer.js'
import { load, mark, store, type Proc } from '../ops.js'
import { enter, leave, waitingUnnotified } from '../contracts.js'

/** A model of Condition's protocol: its words and operations, as steps. */
export interface ConditionProtocol {
  label: string
  /** Python's FIFO (per-waiter tickets) or any waiter registered before the notify. */
  fifo: boolean
  words(name: string): Record<string, number>
  acquire(cond: string, me: number): Proc<void>
  release(cond: string, me: number): Proc<void>
  /** wait() / wait(timeout) while holding the lock; returns whether notified. */
  wait(cond: string, me: number, who: string, timed: boolean): Proc<boolean>
  notify(cond: string, n: number): Proc<void>
}

const ALL = 0xffff

function* locked<T>(p: ConditionProtocol, me: number, who: string, body: () => Proc<T>): Proc<T> {
  yield* p.acquire('c', me)
  yield* enter('c.lock', who)
  const out = yield* body()
  yield* leave('c.lock')
  yield* p.release('c', me)
  return out
}

/** waitFor(predicate) without a timeout. */
function* waitFor(p: ConditionProtocol, me: number, who: string, predicate: () => Proc<boolean>): Proc<void> {
  while (!(yield* predicate())) {
    yield* leave('c.lock')
    yield* p.wait('c', me, who, false)
    yield* enter('c.lock', who)
  }
}

/**
 * The steal: A waits for READY; H sets it, notifies, then waits
 * itself with a timeout. H's wait must time out (nobody notifies it after
 * it began) and A must wake.
 */
export function notifyThenWait(p: ConditionProtocol): Model {
  return {
    name: `Condition notify-then-wait ${p.label}`,
    words: { ...p.words('c'), READY: 0 },
    actors: {
      A: () => locked(p, 1, 'A', () => waitFor(p, 1, 'A', function* () {
        return (yield* load('READY', 'A: ready?')) === 1
      })),
      H: () => locked(p, 2, 'H', function* () {
        yield* store('READY', 1, 'H: ready = 1')
        yield* p.notify('c', 1)
        yield* leave('c.lock')
        yield* p.wait('c', 2, 'H', true)
        yield* enter('c.lock', 'H')
      }),
    },
  }
}

/**
 * Three waiters, holes: A, B and C wait (A and B with a timeout), A then
 * notifies once. A waiter that left (timed out) must be skipped; a notify
 * goes to the oldest still waiting; C may wait for ever, unless owed.
 */
export function threeWaiters(p: ConditionProtocol): Model {
  const waiter = (me: number, who: string, timed: boolean, thenNotify: boolean) => () => locked(p, me, who, function* () {
    yield* leave('c.lock')
    yield* p.wait('c', me, who, timed)
    yield* enter('c.lock', who)
    if (thenNotify) yield* p.notify('c', 1)
  })
  return {
    name: `Condition three waiters ${p.label} (A, B timed; A notifies after)`,
    words: p.words('c'),
    actors: { A: waiter(1, 'A', true, true), B: waiter(2, 'B', true, false), C: waiter(3, 'C', false, false) },
    stuck: (_mem, ghost, stuck) => waitingUnnotified('c', p.fifo, ghost, stuck),
  }
}

/** Two actors take turns on one Condition (TURN says whose), `rounds` each. */
export function pingPong(p: ConditionProtocol, rounds: number): Model {
  const player = (me: number, who: string) => function* (): Proc<void> {
    for (let r = 0; r < rounds; r++) {
      yield* mark(r)
      yield* locked(p, me, who, function* () {
        yield* waitFor(p, me, who, function* () {
          return (yield* load('TURN', `${who}: my turn?`)) === me
        })
        yield* store('TURN', 3 - me, `${who}: TURN = other`)
        yield* p.notify('c', 1)
      })
    }
  }
  return {
    name: `Condition ping-pong ${p.label} (${rounds} rounds)`,
    words: { ...p.words('c'), TURN: 1 },
    actors: { A: player(1, 'A'), B: player(2, 'B') },
  }
}

/**
 * A bounded buffer of one slot on one Condition: producers P and Q put one
 * item each, consumer C takes two; every change notifies (`notifyAll`, or
 * notify(1)). The count never leaves 0..1 and every item arrives.
 */
export function boundedBuffer(p: ConditionProtocol, notifyAll: boolean): Model {
  const n = notifyAll ? ALL : 1
  const producer = (me: number, who: string) => () => locked(p, me, who, function* () {
    yield* waitFor(p, me, who, function* () {
      return (yield* load('COUNT', `${who}: room?`)) < 1
    })
    yield* store('COUNT', (yield* load('COUNT')) + 1, `${who}: COUNT += 1`)
    yield* p.notify('c', n)
  })
  return {
    name: `Condition bounded buffer ${p.label} (${notifyAll ? 'notifyAll' : 'notify'})`,
    words: { ...p.words('c'), COUNT: 0 },
    actors: {
      P: producer(1, 'P'),
      Q: producer(2, 'Q'),
      C: function* () {
        for (let r = 0; r < 2; r++) {
          yield* mark(r)
          yield* locked(p, 3, 'C', function* () {
            yield* waitFor(p, 3, 'C', function* () {
              return (yield* load('COUNT', 'C: item?')) > 0
            })
            yield* store('COUNT', (yield* load('COUNT')) - 1, 'C: COUNT -= 1')
            yield* p.notify('c', n)
          })
        }
      },
    },
  }
}
