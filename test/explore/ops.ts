// The steps a model's actor yields to the explorer (explorer.ts), and small
// helpers to yield them with `yield*` so a model reads like the code it copies:
//
//   const seq = yield* load('SEQ')
//   if ((yield* cas('OWNER', 0, me)) === 0) return true
//   yield* futexWait('SEQ', seq)
//
// Every step but `ghost` is a scheduling point: the explorer may run any
// other actor between two of them. Shared words are 32-bit integers with
// sequentially consistent semantics (JS Atomics are seq-cst).

/** What a kernel futex wait or a parked async waiter returns. */
export type WaitOutcome = 'woken' | 'not-equal' | 'timed-out'

export type Op =
  /** Atomics.load */
  | { kind: 'load'; word: string; at?: string }
  /** An atomic read-modify-write (store, add, sub, and, or, exchange, compareExchange); returns the old value. */
  | { kind: 'rmw'; word: string; name: string; apply: (old: number) => number; at?: string }
  /** FUTEX_WAIT: sleeps iff the word equals `expected`; `timed`: a timeout may end the sleep. */
  | { kind: 'wait'; word: string; expected: number; timed: boolean; at?: string }
  /** FUTEX_WAKE: wakes up to `count` sleepers of the word (which ones: any); returns how many. */
  | { kind: 'wake'; word: string; count: number; at?: string }
  /** The addon's waitAsync: a native thread sleeps on the word while it equals `expected`; returns a token, or -1 if it differed. */
  | { kind: 'arm'; word: string; expected: number; at?: string }
  /** A JS task awaits token `token` (its native thread woke, or the JS timer fired if `timed`). */
  | { kind: 'park'; token: number; timed: boolean; at?: string }
  /**
   * cancelWait: asks the native thread to stop sleeping for `token` (it still sleeps until it
   * looks again). `passOn`: a wake the cancelled wait takes meanwhile is passed on (one FUTEX_WAKE).
   */
  | { kind: 'cancel'; token: number; passOn: boolean; at?: string }
  /** An ideal blocking step: enabled only while the word equals `expected`, then sets it to `value` (an ideal lock's acquire). */
  | { kind: 'await'; word: string; expected: number; value: number; at?: string }
  /** A nondeterministic choice of the actor itself (a deadline that passed or not); returns the option's index. */
  | { kind: 'choose'; options: readonly string[]; at?: string }
  /** Bookkeeping of the checker (not a step): runs at once, atomically with the step before. */
  | { kind: 'ghost'; apply: (g: Ghost) => unknown }
  /** Not a step: from here the current scope's future depends only on `locals` and what it reads next (see {@link mark}). */
  | { kind: 'mark'; locals: unknown }
  /** Not a step: a scope begins / ends with `value` (see {@link scoped}). */
  | { kind: 'enter' }
  | { kind: 'exit'; value: unknown }

/** Checker-only state shared by the actors of one model (part of the explored state). */
export type Ghost = Record<string, any>

/** An actor's body (or a piece of it, used with `yield*`). */
export type Proc<T = void> = Generator<Op, T, unknown>

/** A broken contract: the explorer stops and prints the schedule that led here. */
export class Violation extends Error {
  readonly kind: string
  constructor(kind: string, detail: string) {
    super(`${kind}: ${detail}`)
    this.kind = kind
  }
}

/** Fails the model with `kind` (a short class of defect, e.g. 'mutual exclusion') unless `ok`. */
export function check(ok: boolean, kind: string, detail: string): asserts ok {
  if (!ok) throw new Violation(kind, detail)
}

export function* load(word: string, at?: string): Proc<number> {
  return (yield { kind: 'load', word, at }) as number
}

/** Any atomic read-modify-write (`name` says what it does); returns the old value. */
export function* rmw(word: string, name: string, apply: (old: number) => number, at?: string): Proc<number> {
  return (yield { kind: 'rmw', word, name, apply, at }) as number
}

export const store = (word: string, value: number, at?: string) => rmw(word, `= ${value}`, () => value, at)
export const exchange = (word: string, value: number, at?: string) => rmw(word, `<-> ${value}`, () => value, at)
export const add = (word: string, n: number, at?: string) => rmw(word, `+= ${n}`, (v) => (v + n) | 0, at)
export const sub = (word: string, n: number, at?: string) => rmw(word, `-= ${n}`, (v) => (v - n) | 0, at)
export const and = (word: string, mask: number, at?: string) => rmw(word, `&= ${mask}`, (v) => v & mask, at)
export const or = (word: string, mask: number, at?: string) => rmw(word, `|= ${mask}`, (v) => v | mask, at)
/** compareExchange: returns the old value (the exchange happened iff it equals `expected`). */
export const cas = (word: string, expected: number, value: number, at?: string) =>
  rmw(word, `cas ${expected} -> ${value}`, (v) => (v === expected ? value : v), at)

export function* futexWait(word: string, expected: number, timed = false, at?: string): Proc<WaitOutcome> {
  return (yield { kind: 'wait', word, expected, timed, at }) as WaitOutcome
}

/** Wakes up to `count` sleepers (Infinity: all); returns how many woke. */
export function* futexWake(word: string, count = Infinity, at?: string): Proc<number> {
  return (yield { kind: 'wake', word, count, at }) as number
}

export function* arm(word: string, expected: number, at?: string): Proc<number> {
  return (yield { kind: 'arm', word, expected, at }) as number
}

export function* park(token: number, timed: boolean, at?: string): Proc<'woken' | 'timed-out'> {
  return (yield { kind: 'park', token, timed, at }) as 'woken' | 'timed-out'
}

export function* cancel(token: number, passOn: boolean, at?: string): Proc<void> {
  yield { kind: 'cancel', token, passOn, at }
}

/**
 * Blocks until the word equals `expected`, then sets it to `value`, in one
 * step: an ideal lock for models that build on a lock checked on its own.
 */
export function* awaitSet(word: string, expected: number, value: number, at?: string): Proc<void> {
  yield { kind: 'await', word, expected, value, at }
}

export function* choose(options: readonly string[], at?: string): Proc<number> {
  return (yield { kind: 'choose', options, at }) as number
}

/**
 * Declares the current scope's whole live local state (e.g. `{ round: r }`
 * at the top of a loop): the explorer then identifies the scope by `locals`
 * and what it reads after, instead of by everything it read before, so
 * schedules that differ only in forgotten values merge. Anything the scope
 * still uses later must be in `locals` (its parameters need not: they come
 * from the caller's state), or the explorer could skip a schedule it should not.
 */
export function* mark(locals: unknown): Proc<void> {
  yield { kind: 'mark', locals }
}

/**
 * Wraps a protocol operation as a black box for the explorer's state
 * identity: once it returns, the caller is identified by what it read before
 * the call and the result, not by what the operation read inside. The
 * operation must not change its caller's variables (closures that assign
 * outer variables break this; return values instead).
 */
export function scoped<A extends unknown[], T>(fn: (...args: A) => Proc<T>): (...args: A) => Proc<T> {
  return (...args: A) => scope(fn(...args))
}

/** Runs `body` as a black box for the explorer's state identity (see {@link scoped}). */
export function* scope<T>(body: Proc<T>): Proc<T> {
  yield { kind: 'enter' }
  const value = yield* body
  yield { kind: 'exit', value }
  return value
}

/** Runs `apply` on the ghost state atomically with the previous step; returns its result. */
export function* ghost<T>(apply: (g: Ghost) => T): Proc<T> {
  return (yield { kind: 'ghost', apply }) as T
}
