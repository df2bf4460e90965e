// Model of src/sync/condition.ts on the fixed branch (waits): per-waiter
// tickets, FIFO. NOTIFIED (tickets before it are notified), TAIL (the next
// ticket), HOLES (a bit per ticket whose waiter left) change only under the
// lock; a waiter sleeps on WAKE[ticket % wakeWords], which notify bumps after
// it moved NOTIFIED. Tickets are small here, so no wrap-around.
// `wakeWords`: 16 as in the code; 1 makes every ticket share one wake word
// (what tickets 16 apart do in the code), so they wake each other.
import { add, and, futexWake, load, or, scoped, store, type Proc } from '../../ops.js'
import { notified as notifiedGhost, registerWaiter, waitReturned } from '../../contracts.js'
import { waitLoop, type WaitCore } from '../wait-core.js'
import type { LockImpl } from '../ideal-lock.js'
import type { ConditionProtocol } from '../../scenarios/condition.js'

const W = (c: string) => ({ NOTIFIED: `${c}.NOTIFIED`, TAIL: `${c}.TAIL`, HOLES: `${c}.HOLES`, WAITERS: `${c}.WAITERS` })
const WAKE = (c: string, w: number) => `${c}.WAKE${w}`

export function fixedCondition(lock: LockImpl, core: WaitCore, wakeWords = 16, form: { async?: boolean } = {}): ConditionProtocol {
  const hole = function* (c: string, t: number): Proc<boolean> {
    return ((yield* load(W(c).HOLES, `#hole(${t})`)) & (1 << t)) !== 0
  }
  const setHole = function* (c: string, t: number, on: boolean): Proc<void> {
    if (on) yield* or(W(c).HOLES, 1 << t, `#setHole(${t}, true)`)
    else yield* and(W(c).HOLES, ~(1 << t), `#setHole(${t}, false)`)
  }
  const skipHoles = function* (c: string, from: number, tail: number): Proc<number> {
    let t = from
    while (t !== tail && (yield* hole(c, t))) {
      yield* setHole(c, t, false)
      t++
    }
    return t
  }
  const isNotified = scoped(function* (c: string, ticket: number): Proc<boolean> {
    return ticket - (yield* load(W(c).NOTIFIED, '#notified: NOTIFIED')) < 0
  })

  /** #register, under the lock: take ticket TAIL. */
  const register = scoped(function* (c: string, who: string): Proc<number> {
    yield* load(W(c).NOTIFIED, '#span: NOTIFIED')
    const tail = yield* load(W(c).TAIL, '#span: TAIL')
    yield* setHole(c, tail, false)
    yield* store(W(c).TAIL, tail + 1, '#register: TAIL += 1')
    yield* registerWaiter(c, who)
    return tail
  })

  /** #settle, under the lock: notified after all → true; else leave (shrink TAIL, move NOTIFIED, or a hole). */
  const settle = scoped(function* (c: string, ticket: number): Proc<boolean> {
    if (yield* isNotified(c, ticket)) return true
    const notified = yield* load(W(c).NOTIFIED, '#span: NOTIFIED')
    const tail = yield* load(W(c).TAIL, '#span: TAIL')
    if (ticket + 1 === tail) {
      let t = ticket
      while (t !== notified && (yield* hole(c, t - 1))) {
        t--
        yield* setHole(c, t, false)
      }
      yield* store(W(c).TAIL, t, '#settle: TAIL = t (the newest leaves)')
    } else if (ticket === notified) {
      yield* store(W(c).NOTIFIED, yield* skipHoles(c, ticket + 1, tail), '#settle: NOTIFIED past the oldest')
    } else {
      yield* setHole(c, ticket, true)
    }
    return false
  })

  const wait = scoped(function* (c: string, me: number, who: string, timed: boolean): Proc<boolean> {
    const ticket = yield* register(c, who)
    yield* lock.releaseSave(`${c}.lock`, me)
    const word = { SEQ: WAKE(c, ticket % wakeWords), WAITERS: W(c).WAITERS }
    yield* waitLoop(core, word, () => isNotified(c, ticket), { ...form, timed })
    yield* lock.acquireRestore(`${c}.lock`, me)
    const woken = yield* settle(c, ticket)
    yield* waitReturned(c, who, woken, true)
    return woken
  })

  /** #notify(n), under the lock. */
  const notify = scoped(function* (c: string, n: number): Proc<void> {
    const notified = yield* load(W(c).NOTIFIED, '#span: NOTIFIED')
    const tail = yield* load(W(c).TAIL, '#span: TAIL')
    let next = notified
    let picked = 0
    let words = 0
    while (next !== tail && picked < n) {
      if (yield* hole(c, next)) {
        yield* setHole(c, next, false)
      } else {
        picked++
        words |= 1 << next % wakeWords
      }
      next++
    }
    next = yield* skipHoles(c, next, tail)
    if (next === notified) return
    yield* store(W(c).NOTIFIED, next, '#notify: NOTIFIED = next')
    yield* notifiedGhost(c, n, true)
    if (words === 0) return
    const anyone = (yield* load(W(c).WAITERS, '#notify: anyone waiting?')) > 0
    for (let w = 0; w < wakeWords; w++) {
      if ((words & (1 << w)) === 0) continue
      yield* add(WAKE(c, w), 1, `#notify: WAKE[${w}] += 1`)
      if (anyone) yield* futexWake(WAKE(c, w), Infinity, `#notify: wake all on WAKE[${w}]`)
    }
  })

  return {
    label: `fixed${core.sleepOnLateRead ? ` (${core.label})` : ''}, ${lock.label}${wakeWords === 1 ? ', one wake word' : ''}${form.async ? ', async waits' : ''}`,
    fifo: true,
    words: (c) => {
      const words: Record<string, number> = { [`${c}.NOTIFIED`]: 0, [`${c}.TAIL`]: 0, [`${c}.HOLES`]: 0, [`${c}.WAITERS`]: 0, ...lock.words(`${c}.lock`) }
      for (let w = 0; w < Math.min(wakeWords, 8); w++) words[WAKE(c, w)] = 0 // tickets stay below 8 in these scenarios
      return words
    },
    acquire: (c, me) => lock.acquire(`${c}.lock`, me),
    release: (c, me) => lock.release(`${c}.lock`, me),
    wait,
    notify,
  }
}
