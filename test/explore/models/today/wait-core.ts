// Model of src/sync/wait.ts at 9fa64a9: the waiting loops every primitive shares.
//
// Left out on purpose: the 100 ms sliced sleeps of a shared lock (they poll for
// a dead owner, not for a wake-up) and the queue's 200 ms re-checks, so a
// wake-up that only they would rescue shows as a lost wake-up; the local
// (one-thread) queues of WaitWord, which never race (one event loop).
import { add, arm, cancel, choose, futexWait, futexWake, load, mark, park, scoped, sub, type Proc } from '../../ops.js'

/** The words of one WaitWord: the sequence word and the count of waiters. */
export interface WaitWords {
  SEQ: string
  WAITERS: string
}

/** A deadline check `performance.now() >= deadline`: time may have run out at any check. */
export function* deadlinePassed(at: string): Proc<boolean> {
  return (yield* choose(['deadline not reached', 'deadline passed'], at)) === 1
}

/** WaitWord.notify(max, remote): bump SEQ, then wake (remote: how many sleepers elsewhere). */
export const notify = scoped(function* (w: WaitWords, remote: number, at: string): Proc<void> {
  yield* add(w.SEQ, 1, `${at}: SEQ += 1`)
  yield* futexWake(w.SEQ, remote, `${at}: futexWake`)
})

/**
 * WaitWord.untilSync: count in WAITERS; until `attempt()` succeeds or the
 * deadline (if `timed`) passes: read SEQ, attempt, sleep while SEQ is unchanged.
 */
export const untilSync = scoped(function* (w: WaitWords, attempt: () => Proc<boolean>, timed: boolean): Proc<boolean> {
  yield* add(w.WAITERS, 1, 'untilSync: WAITERS += 1')
  let expired = false
  for (;;) {
    yield* mark({ expired })
    const seq = yield* load(w.SEQ, 'untilSync: seq = SEQ')
    if (yield* attempt()) {
      yield* sub(w.WAITERS, 1, 'untilSync: WAITERS -= 1')
      return true
    }
    if (timed && (expired || (yield* deadlinePassed('untilSync: deadline?')))) {
      yield* sub(w.WAITERS, 1, 'untilSync: WAITERS -= 1 (timed out)')
      return false
    }
    if ((yield* futexWait(w.SEQ, seq, timed, 'untilSync: sleepSync(seq)')) === 'timed-out') expired = true
  }
})

/**
 * WaitWord.until for an object shared with other threads (one task of this
 * thread waiting): as untilSync, but the sleep is `sleep()`: a group arms a
 * native wait (the addon's futex_waitv thread) and the task awaits it; a JS
 * timer that fires first leaves the group, which cancels the native wait —
 * the native thread sleeps on until it looks again.
 */
export const until = scoped(function* (w: WaitWords, attempt: () => Proc<boolean>, timed: boolean): Proc<boolean> {
  yield* add(w.WAITERS, 1, 'until: WAITERS += 1')
  let expired = false
  for (;;) {
    yield* mark({ expired })
    const seq = yield* load(w.SEQ, 'until: seq = SEQ')
    if (yield* attempt()) {
      yield* sub(w.WAITERS, 1, 'until: WAITERS -= 1')
      return true
    }
    if (timed && (expired || (yield* deadlinePassed('until: deadline?')))) {
      yield* sub(w.WAITERS, 1, 'until: WAITERS -= 1 (timed out)')
      return false
    }
    if ((yield* sleep(w, seq, timed)) === 'timed-out') expired = true
  }
})

/** WaitWord.sleep(expected, deadline) of one task on a shared object. */
export const sleep = scoped(function* (w: WaitWords, expected: number, timed: boolean): Proc<'woken' | 'timed-out'> {
  if ((yield* load(w.SEQ, 'sleep: SEQ still expected?')) !== expected) return 'woken'
  const token = yield* arm(w.SEQ, expected, 'sleep: new group arms a native wait')
  if (token < 0) return 'woken' // futex_waitv saw the word move: completion "changed"
  const outcome = yield* park(token, timed, 'sleep: await the group')
  if (outcome === 'timed-out') yield* cancel(token, 'leave: group empty, dropGroup cancels the native wait')
  return outcome
})
