// The contracts the models check, as ghost bookkeeping (ops.ts `ghost`): each
// helper runs atomically with the model's step before it, so a model calls it
// right after the step where the operation takes effect (its linearization
// point). Shared by the models of today's protocols and of the fixed ones.
import { check, ghost, load, store, type Proc } from './ops.js'

// ----- mutual exclusion

/**
 * A critical section with a non-atomic read-modify-write of `${name}.DATA`
 * inside (two steps, so others can run in between): at most one actor inside,
 * and no increment lost (check `${name}.DATA` in the model's final).
 */
export function* criticalSection(name: string, who: string): Proc<void> {
  yield* enter(name, who)
  const v = yield* load(`${name}.DATA`, `${who}: inside: v = DATA`)
  yield* store(`${name}.DATA`, v + 1, `${who}: inside: DATA = v + 1`)
  yield* leave(name)
}

/** Entering a critical section: at most one actor inside `name` (put a step before the matching leave). */
export function* enter(name: string, who: string): Proc<void> {
  const inside = yield* ghost((g) => (g[`${name}.inside`] = (g[`${name}.inside`] ?? 0) + 1) as number)
  check(inside === 1, 'mutual exclusion', `${who} entered ${name} while ${inside - 1} other(s) held it`)
}

export function* leave(name: string): Proc<void> {
  yield* ghost((g) => {
    g[`${name}.inside`]--
  })
}

// ----- Event: a wait returns true only for a set() it could have seen

/** A set() took effect (the step before is its linearization point: what isSet() sees). */
export function* eventSet(event: string): Proc<void> {
  yield* ghost((g) => {
    g[`${event}.sets`] = (g[`${event}.sets`] ?? 0) + 1
  })
}

/** A wait begins (with the read that decided "not set yet"): returns the number of sets so far. */
export function* eventWaitBegins(event: string): Proc<number> {
  return yield* ghost((g) => (g[`${event}.sets`] ?? 0) as number)
}

/** A wait that began clear returns true: a set() must have happened since. */
export function* eventWaitReturned(event: string, who: string, since: number): Proc<void> {
  const now = yield* ghost((g) => (g[`${event}.sets`] ?? 0) as number)
  check(now > since, 'phantom wake-up', `${who}'s ${event}.wait() returned true, but the flag was clear when it began and no set() happened since`)
}

// ----- permits

/** Taking a permit: at most `permits` holders at once. */
export function* takePermit(name: string, permits: number, who: string): Proc<void> {
  const held = yield* ghost((g) => (g[`${name}.held`] = (g[`${name}.held`] ?? 0) + 1) as number)
  check(held <= permits, 'permits exceeded', `${who} took a permit of ${name}: ${held} holders, only ${permits} permits`)
}

export function* givePermit(name: string): Proc<void> {
  yield* ghost((g) => {
    g[`${name}.held`]--
  })
}

// ----- Condition: which notify a waiter may consume

/**
 * A waiter registers (while holding the lock). In FIFO mode (Python's
 * Condition: per-waiter tickets) notify(n) owes a wake to the n oldest
 * registered waiters not owed one yet; otherwise to any n of the waiters
 * registered at that moment (each notify is a grant of up to n wakes, usable
 * only by those waiters).
 */
export function* registerWaiter(cond: string, who: string): Proc<void> {
  yield* ghost((g) => {
    const c = conditionGhost(g, cond)
    c.waiting.push(who)
  })
}

export function* notified(cond: string, n: number, fifo: boolean): Proc<void> {
  yield* ghost((g) => {
    const c = conditionGhost(g, cond)
    if (fifo) {
      c.owed.push(...c.waiting.splice(0, n))
      return
    }
    const granted = c.grants.reduce((sum, grant) => sum + grant.left, 0)
    const k = Math.min(n, c.waiting.length - granted)
    if (k > 0) c.grants.push({ left: k, eligible: [...c.waiting] })
  })
}

/** The waiter `who` returns from wait(): `woken` is what wait() returned. */
export function* waitReturned(cond: string, who: string, woken: boolean, fifo: boolean): Proc<void> {
  const problem = yield* ghost((g): string | undefined => {
    const c = conditionGhost(g, cond)
    const owed = c.owed.indexOf(who)
    const at = c.waiting.indexOf(who)
    if (at >= 0) c.waiting.splice(at, 1)
    if (fifo) {
      if (owed >= 0) c.owed.splice(owed, 1)
      if (woken && owed < 0) return `stolen wake-up: ${who}'s ${cond}.wait() returned true, but no notify() was meant for it (FIFO: the older waiters were owed)`
      if (!woken && owed >= 0) return `lost notify: ${who}'s ${cond}.wait() returned false (timed out) although a notify() was meant for it`
      return undefined
    }
    if (!woken) return undefined
    const grant = c.grants.find((gr) => gr.left > 0 && gr.eligible.includes(who))
    if (grant === undefined) return `stolen wake-up: ${who}'s ${cond}.wait() returned true, but every notify() so far came before it began waiting or was used up`
    grant.left--
    c.grants = c.grants.filter((gr) => gr.left > 0)
    return undefined
  })
  if (problem !== undefined) check(false, problem.slice(0, problem.indexOf(':')), problem.slice(problem.indexOf(':') + 2))
}

/**
 * For a model's `stuck`: an actor may wait for ever in a Condition's wait()
 * only if no notify was meant for it (it is registered and not owed one).
 */
export function waitingUnnotified(cond: string, fifo: boolean, ghostState: Record<string, unknown>, stuck: string[]): void {
  const c = conditionGhost(ghostState, cond)
  for (const who of stuck) {
    check(c.waiting.includes(who), 'lost wake-up', `${who} is stuck outside ${cond}.wait() (on the lock?)`)
    const owed = fifo ? c.owed.includes(who) : c.grants.some((gr) => gr.left > 0 && gr.eligible.includes(who))
    check(!owed, 'lost wake-up', `${who} sleeps for ever in ${cond}.wait() although a notify() was meant for it`)
  }
}

interface ConditionGhost {
  waiting: string[]
  owed: string[]
  grants: Array<{ left: number; eligible: string[] }>
}

function conditionGhost(g: Record<string, unknown>, cond: string): ConditionGhost {
  const key = `${cond}.waiters`
  return ((g[key] as ConditionGhost | undefined) ?? (g[key] = { waiting: [], owed: [], grants: [] })) as ConditionGhost
}

// ----- Barrier: every party once per generation

// Ghost: `${b}.counting` is the generation the barrier's arrival count
// belongs to (it moves when the count is reset for the next generation);
// `${b}.gen<N>` lists the parties counted in generation N.

/**
 * A party's arrival was counted (its CAS on the count succeeded); returns
 * the generation it joined: `gen` if the protocol knows it, else the one
 * the count belongs to (see {@link countingFor}).
 */
export function* arrived(barrier: string, who: string, gen?: number): Proc<number> {
  const [joined, twice] = yield* ghost((g): [number, boolean] => {
    const joined = gen ?? ((g[`${barrier}.counting`] ?? 0) as number)
    g[`${barrier}.counting`] = joined
    const list = (g[`${barrier}.gen${joined}`] ??= []) as string[]
    list.push(who)
    return [joined, list.filter((p) => p === who).length > 1]
  })
  check(!twice, 'party counted twice', `${who} was counted twice in generation ${joined} of ${barrier}`)
  return joined
}

/** A party of generation `gen` returns (`passed`: its index, else BrokenBarrierError): all of a generation agree. */
export function* barrierOutcome<T>(barrier: string, gen: number, passed: boolean, who: string, value: T): Proc<T> {
  const first = yield* ghost((g) => (g[`${barrier}.outcome${gen}`] ??= passed) as boolean)
  check(first === passed, 'split generation', `${who} ${passed ? 'passed' : 'broke'} generation ${gen} of ${barrier}, another party ${first ? 'passed' : 'broke'} it`)
  return value
}

/** The arrival count now belongs to generation `gen` (it was reset for it). */
export function* countingFor(barrier: string, gen: number): Proc<void> {
  yield* ghost((g) => {
    g[`${barrier}.counting`] = gen
  })
}

/** A party leaves generation `gen` released (not broken): all its parties must have arrived. */
export function* released(barrier: string, gen: number, parties: number, who: string): Proc<void> {
  const count = yield* ghost((g) => ((g[`${barrier}.gen${gen}`] ?? []) as string[]).length)
  check(count === parties, 'released early', `${who} left generation ${gen} of ${barrier} with ${count} of ${parties} parties arrived`)
}

/**
 * For a model's `stuck`: the actors left waiting must be exactly the parties
 * of the open generation, which is short of parties (nobody else will come).
 */
export function waitingForParties(barrier: string, parties: number, ghostState: Record<string, unknown>, stuck: string[]): void {
  const gen = (ghostState[`${barrier}.counting`] ?? 0) as number
  const arrivedNow = (ghostState[`${barrier}.gen${gen}`] ?? []) as string[]
  const ok = arrivedNow.length < parties && stuck.length === arrivedNow.length && stuck.every((a) => arrivedNow.includes(a))
  check(ok, 'lost wake-up', `${stuck.join(', ')} wait(s) for ever on ${barrier}, but generation ${gen} counts ${arrivedNow.length} of ${parties} parties (${arrivedNow.join(', ') || 'none'})`)
}
