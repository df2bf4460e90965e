// Model of src/sync/owned-lock.ts at 9fa64a9 (Lock and RLock between threads:
// the object is shared, so there is no hand-off to local tasks).
import { cas, check, exchange, load, scoped, store, type Proc } from '../../ops.js'
import { notify, until, untilSync, type WaitWords } from './wait-core.js'
import type { LockImpl } from '../ideal-lock.js'
import type { LockProtocol } from '../../scenarios/lock.js'

export interface LockWords extends WaitWords {
  OWNER: string
  DEPTH: string
}

export const lockWords = (name: string): LockWords => ({ OWNER: `${name}.OWNER`, WAITERS: `${name}.WAITERS`, SEQ: `${name}.SEQ`, DEPTH: `${name}.DEPTH` })

/** The initial words of a free lock. */
export const freeLock = (l: LockWords): Record<string, number> => ({ [l.OWNER]: 0, [l.WAITERS]: 0, [l.SEQ]: 0, [l.DEPTH]: 0 })

/** #tryAcquire: one CAS 0 → me (an RLock also re-enters). */
export const tryAcquire = scoped(function* (l: LockWords, me: number, reentrant: boolean): Proc<boolean> {
  const prev = yield* cas(l.OWNER, 0, me, 'tryAcquire: CAS OWNER 0 -> me')
  if (prev === 0) {
    if (reentrant) yield* store(l.DEPTH, 1, 'tryAcquire: DEPTH = 1')
    return true
  }
  if (reentrant && prev === me) {
    yield* store(l.DEPTH, (yield* load(l.DEPTH)) + 1, 'tryAcquire: DEPTH += 1 (owner only)')
    return true
  }
  return false
})

/** acquireSync / acquire (async: a task on a shared lock, through the native waiter). */
export const acquire = scoped(function* (l: LockWords, me: number, opts: { reentrant?: boolean; timed?: boolean; async?: boolean } = {}): Proc<boolean> {
  const reentrant = opts.reentrant ?? false
  if (yield* tryAcquire(l, me, reentrant)) return true
  const attempt = () => tryAcquire(l, me, reentrant)
  return opts.async ? yield* until(l, attempt, opts.timed ?? false) : yield* untilSync(l, attempt, opts.timed ?? false)
})

/** release(): the hot path of a Lock (exchange, then wake one if anyone waits); an RLock counts down first. */
export const release = scoped(function* (l: LockWords, me: number, reentrant = false): Proc<void> {
  if (!reentrant) {
    const was = yield* exchange(l.OWNER, 0, 'release: OWNER <-> 0')
    check(was !== 0, 'misuse', 'release of a free lock')
  } else {
    check((yield* load(l.OWNER, 'release: holder?')) === me, 'misuse', 'RLock released by a thread that does not own it')
    const depth = yield* load(l.DEPTH)
    yield* store(l.DEPTH, depth - 1, 'release: DEPTH -= 1')
    if (depth > 1) return
    yield* store(l.OWNER, 0, '#free: OWNER = 0')
  }
  if ((yield* load(l.WAITERS, 'release: waiting?')) > 0) yield* notify(l, 1, 'release: notify(1, 1)')
})

/** #free, as Condition's releaseSave calls it: store (not exchange), then wake one if anyone waits. */
const free = scoped(function* (l: LockWords): Proc<void> {
  yield* store(l.OWNER, 0, '#free: OWNER = 0')
  if ((yield* load(l.WAITERS, '#free: waiting?')) > 0) yield* notify(l, 1, '#free: notify(1, 1)')
})

/** Today's Lock between threads, for protocols built on it (Condition). */
export const todayLock: LockImpl = {
  label: "today's Lock",
  words: (name) => freeLock(lockWords(name)),
  acquire: function* (name, me) {
    yield* acquire(lockWords(name), me)
  },
  release: (name, me) => release(lockWords(name), me),
  releaseSave: (name) => free(lockWords(name)),
  // acquireRestoreSync: straight into untilSync, no first try
  acquireRestore: function* (name, me) {
    const l = lockWords(name)
    yield* untilSync(l, () => tryAcquire(l, me, false), false)
  },
}

/** Today's Lock (or RLock) for the lock scenarios. */
export const todayLockProtocol = (reentrant: boolean): LockProtocol => ({
  label: reentrant ? 'RLock today' : 'today',
  words: (name) => freeLock(lockWords(name)),
  acquire: (name, me, form) => acquire(lockWords(name), me, { reentrant, ...form }),
  release: (name, me) => release(lockWords(name), me, reentrant),
})
