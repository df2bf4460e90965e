// Model of src/sync/condition.ts at 9fa64a9: SEQ, STATE = sleepers << 16 |
// tokens; notify hands out anonymous tokens that any sleeper can take, a new
// waiter included.
import { add, cas, futexWait, load, mark, scoped, type Proc } from '../../ops.js'
import { deadlinePassed, notify as notifyWord } from '../wait-core.js'
import { notified, registerWaiter, waitReturned } from '../../contracts.js'
import type { LockImpl } from '../ideal-lock.js'
import type { ConditionProtocol } from '../../scenarios/condition.js'

const SLEEPER = 1 << 16
const TOKENS = 0xffff

const SEQ = (c: string) => `${c}.SEQ`
const STATE = (c: string) => `${c}.STATE`

/** waitSync(timeout?): register, release the lock, take a token or time out, re-acquire. */
const wait = (lock: LockImpl) => scoped(function* (c: string, me: number, who: string, timed: boolean): Proc<boolean> {
  // #enter (the lock is held)
  yield* add(STATE(c), SLEEPER, '#enter: STATE += SLEEPER')
  yield* registerWaiter(c, who)
  const seq = yield* load(SEQ(c), 'wait: seq = SEQ')
  yield* lock.releaseSave(`${c}.lock`, me)
  let woken = false
  let expired = false
  for (let s = seq; ; s = yield* load(SEQ(c), 'wait: s = SEQ')) {
    yield* mark({ s, expired })
    if (yield* takeToken(c)) {
      woken = true
      break
    }
    if (timed && (expired || (yield* deadlinePassed('wait: deadline?')))) {
      woken = yield* leave(c)
      break
    }
    if ((yield* futexWait(SEQ(c), s, timed, 'wait: sleepSync(s)')) === 'timed-out') expired = true
  }
  yield* waitReturned(c, who, woken, false)
  yield* lock.acquireRestore(`${c}.lock`, me)
  return woken
})

/** #takeToken: consume a token if one is there (and stop being a sleeper). */
const takeToken = scoped(function* (c: string): Proc<boolean> {
  for (;;) {
    const st = yield* load(STATE(c), '#takeToken: st = STATE')
    if ((st & TOKENS) === 0) return false
    if ((yield* cas(STATE(c), st, st - SLEEPER - 1, '#takeToken: CAS st -> st - SLEEPER - 1')) === st) return true
  }
})

/** #leave: take a token that arrived meanwhile (true), else just stop being a sleeper. */
const leave = scoped(function* (c: string): Proc<boolean> {
  for (;;) {
    const st = yield* load(STATE(c), '#leave: st = STATE')
    const next = (st & TOKENS) > 0 ? st - SLEEPER - 1 : st - SLEEPER
    if ((yield* cas(STATE(c), st, next, '#leave: CAS')) === st) return (st & TOKENS) > 0
  }
})

/** notify(n): up to n tokens, never more than sleepers without one; bump SEQ and wake all. */
const notify = scoped(function* (c: string, n: number): Proc<void> {
  for (;;) {
    const st = yield* load(STATE(c), 'notify: st = STATE')
    const k = Math.min(n, (st >>> 16) - (st & TOKENS))
    if (k <= 0) return
    if ((yield* cas(STATE(c), st, st + k, `notify: CAS tokens += ${k}`)) === st) break
  }
  yield* notified(c, n, false)
  yield* notifyWord({ SEQ: SEQ(c), WAITERS: SEQ(c) }, Infinity, 'notify: WaitWord.notify()')
})

/** Today's Condition protocol over `lock`, for the scenarios (scenarios/condition.ts). */
export const todayCondition = (lock: LockImpl): ConditionProtocol => ({
  label: `today, ${lock.label}`,
  fifo: false,
  words: (c) => ({ [SEQ(c)]: 0, [STATE(c)]: 0, ...lock.words(`${c}.lock`) }),
  acquire: (c, me) => lock.acquire(`${c}.lock`, me),
  release: (c, me) => lock.release(`${c}.lock`, me),
  wait: wait(lock),
  notify,
})
