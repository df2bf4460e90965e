// Model of src/sync/owned-lock.ts (Lock and RLock between threads: the
// object is shared, so there is no hand-off to local tasks). The protocol is
// the same at 9fa64a9 and on the fixed branch; what changed is the wait core
// under it (wait-core.ts), so each model takes one.
import { cas, check, exchange, load, scoped, store, type Proc } from '../ops.js'
import { notify, untilSync, waitLoop, type WaitCore, type WaitWords } from './wait-core.js'
import type { LockImpl } from './ideal-lock.js'
import type { LockProtocol } from '../scenarios/lock.js'

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
export const acquire = scoped(function* (core: WaitCore, l: LockWords, me: number, opts: { reentrant?: boolean; timed?: boolean; async?: boolean }): Proc<boolean> {
  const reentrant = opts.reentrant ?? false
  if (yield* tryAcquire(l, me, reentrant)) return true
  const attempt = () => tryAcquire(l, me, reentrant)
  return yield* waitLoop(core, l, attempt, opts)
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

/** The Lock between threads over `core`, for protocols built on it (Condition). */
export const ownedLock = (core: WaitCore): LockImpl => ({
  label: `Lock (${core.label} core)`,
  words: (name) => freeLock(lockWords(name)),
  acquire: function* (name, me) {
    yield* acquire(core, lockWords(name), me, {})
  },
  release: (name, me) => release(lockWords(name), me),
  releaseSave: (name) => free(lockWords(name)),
  // acquireRestoreSync: straight into untilSync, no first try
  acquireRestore: function* (name, me) {
    const l = lockWords(name)
    yield* untilSync(l, () => tryAcquire(l, me, false), false, core)
  },
})

/** The Lock (or RLock) over `core`, for the lock scenarios. */
export const lockProtocol = (core: WaitCore, reentrant: boolean): LockProtocol => ({
  label: `${reentrant ? 'RLock' : 'Lock'}, ${core.label} core`,
  words: (name) => freeLock(lockWords(name)),
  acquire: (name, me, form) => acquire(core, lockWords(name), me, { reentrant, ...form }),
  release: (name, me) => release(lockWords(name), me, reentrant),
})
