// Model of src/sync/wait.ts: the waiting loops every primitive shares, in
// two versions (`WaitCore`):
// - today (main at 9fa64a9): a cancelled native wait that takes a wake-one
//   (still queued in the kernel, or its completion already on its way)
//   swallows it;
// - fixed (branch waits, "Wait protocols: the rules every wait follows",
//   rule 3 and 4): that wake is passed on — by onNativeWake for an orphaned
//   completion, by the native waiter thread (PassOnCancelled) for a cancelled
//   entry whose word moved.
// The sync loop is the same in both.
//
// Left out on purpose: the 100 ms sliced sleeps of a shared lock (they poll
// for a dead owner, not for a wake-up) and the queue's re-checks, so a
// wake-up that only they would rescue shows as a lost wake-up; the local
// (one-thread) queues of WaitWord, which never race (one event loop).
import { add, arm, cancel, choose, futexWait, futexWake, load, mark, park, scope, scoped, sub, type Proc } from '../ops.js'

/** The words of one WaitWord: the sequence word and the count of waiters. */
export interface WaitWords {
  SEQ: string
  WAITERS: string
}

/** Which wait core: today's, or the fixed one that passes on wakes taken by cancelled native waits. */
export interface WaitCore {
  label: string
  passOn: boolean
  /**
   * A deliberate defect for the explorer's own tests: sleep on a value of the
   * sequence word read *after* the attempt (not the one the attempt decided
   * from), the classic check-then-sleep window.
   */
  sleepOnLateRead?: boolean
}

export const todayCore: WaitCore = { label: 'today', passOn: false }
export const fixedCore: WaitCore = { label: 'fixed', passOn: true }
export const brokenCore: WaitCore = { label: 'fixed but sleeping on a late read', passOn: true, sleepOnLateRead: true }

/**
 * What a waiting loop tries after each read of the sequence word (the fixed
 * core hands it the value read): undefined or false to sleep on, anything
 * else ends the wait and is returned (the real code assigns it to a variable
 * of the caller from its closure; a model returns it, see ops.ts `scoped`).
 */
export type Attempt<T> = (seq: number) => Proc<T | undefined | false>

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
export function untilSync<T>(w: WaitWords, attempt: Attempt<T>, timed: boolean, core?: WaitCore): Proc<T | false> {
  return scope(
    (function* (): Proc<T | false> {
      yield* add(w.WAITERS, 1, 'untilSync: WAITERS += 1')
      let expired = false
      for (;;) {
        yield* mark({ expired })
        const seq = yield* load(w.SEQ, 'untilSync: seq = SEQ')
        const got = yield* attempt(seq)
        if (got !== undefined && got !== false) {
          yield* sub(w.WAITERS, 1, 'untilSync: WAITERS -= 1')
          return got
        }
        if (timed && (expired || (yield* deadlinePassed('untilSync: deadline?')))) {
          yield* sub(w.WAITERS, 1, 'untilSync: WAITERS -= 1 (timed out)')
          return false
        }
        const on = core?.sleepOnLateRead ? yield* load(w.SEQ, 'untilSync: (defect) SEQ read again') : seq
        if ((yield* futexWait(w.SEQ, on, timed, 'untilSync: sleepSync(seq)')) === 'timed-out') expired = true
      }
    })(),
  )
}

/**
 * WaitWord.until for an object shared with other threads (one task of this
 * thread waiting): as untilSync, but the sleep is `sleep()`.
 */
export function until<T>(core: WaitCore, w: WaitWords, attempt: Attempt<T>, timed: boolean): Proc<T | false> {
  return scope(
    (function* (): Proc<T | false> {
      yield* add(w.WAITERS, 1, 'until: WAITERS += 1')
      let expired = false
      for (;;) {
        yield* mark({ expired })
        const seq = yield* load(w.SEQ, 'until: seq = SEQ')
        const got = yield* attempt(seq)
        if (got !== undefined && got !== false) {
          yield* sub(w.WAITERS, 1, 'until: WAITERS -= 1')
          return got
        }
        if (timed && (expired || (yield* deadlinePassed('until: deadline?')))) {
          yield* sub(w.WAITERS, 1, 'until: WAITERS -= 1 (timed out)')
          return false
        }
        const on = core.sleepOnLateRead ? yield* load(w.SEQ, 'until: (defect) SEQ read again') : seq
        if ((yield* sleep(core, w, on, timed)) === 'timed-out') expired = true
      }
    })(),
  )
}

/** untilSync or until, by the waiter's form. */
export function waitLoop<T>(core: WaitCore, w: WaitWords, attempt: Attempt<T>, form: { async?: boolean; timed?: boolean }): Proc<T | false> {
  return form.async ? until(core, w, attempt, form.timed ?? false) : untilSync(w, attempt, form.timed ?? false, core)
}

/**
 * WaitWord.sleep(expected, deadline) of one task on a shared object: a new
 * group arms a native wait (the addon's futex_waitv thread) and the task
 * awaits it; a JS timer that fires first leaves the group, which cancels the
 * native wait — the native thread sleeps on until it looks again.
 */
export const sleep = scoped(function* (core: WaitCore, w: WaitWords, expected: number, timed: boolean): Proc<'woken' | 'timed-out'> {
  if ((yield* load(w.SEQ, 'sleep: SEQ still expected?')) !== expected) return 'woken'
  const token = yield* arm(w.SEQ, expected, 'sleep: new group arms a native wait')
  if (token < 0) return 'woken' // futex_waitv saw the word move: completion "changed"
  const outcome = yield* park(token, timed, 'sleep: await the group')
  if (outcome === 'timed-out') yield* cancel(token, core.passOn, 'leave: group empty, dropGroup cancels the native wait')
  return outcome
})
