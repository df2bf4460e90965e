// The fuzz harness: drives one subject (a public class) with random calls
// and checks what issue 19 asks of every call: it returns, or throws a
// SkeinError/TypeError/RangeError with a message; it never hangs; a call
// that throws changes nothing; and the object still works afterwards.
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { SkeinError } from '../../src/index.js'
import { Random, UserError, args as randomArgs, seedFor } from './random.js'

/** One method of a subject. */
export interface Method<T> {
  name: string
  /** Likely-valid arguments, so calls get past validation and do things. */
  plausible?: (r: Random, o: T) => unknown[]
  /** Puts `o` in a state where no valid call of this method has to wait. */
  prepare?: (o: T) => unknown
  /** The call; default `o[name](...args)`. */
  call?: (o: T, args: unknown[]) => unknown
  /** A documented error that does change the state (say why where it is set). */
  changesOnError?: RegExp
}

/** A public class under fuzz. */
export interface Subject<T> {
  name: string
  /** Random calls on it (constructions included). */
  calls: number
  make: (r: Random) => T | Promise<T>
  /** Constructs from random arguments; what it returns is disposed. */
  construct?: (args: unknown[], r: Random) => unknown
  plausibleNew?: (r: Random) => unknown[]
  methods: Method<T>[]
  /** What a failed call must leave as it was. */
  state: (o: T) => unknown
  /** A good call sequence that must still work after any random call. */
  sanity: (o: T) => unknown
  /** Called every few ms while a call is pending (a notifier, say). */
  poke?: (o: T) => void
  dispose?: (o: T | unknown) => unknown
  /** How long a call may take before it counts as hung (default 5 s; a child's cold start under a loaded machine takes longer). */
  hangMs?: number
}

const HANG_MS = 5_000
const REMAKE_EVERY = 25

export interface Outcome { kind: 'returned' | 'threw' | 'hung'; error?: unknown; value?: unknown }

/** Runs `fn`; a promise it returns must settle within the hang bound. */
export async function settle(fn: () => unknown, poke?: () => void, hangMs = HANG_MS): Promise<Outcome> {
  let result: unknown
  try {
    result = fn()
  } catch (error) {
    return { kind: 'threw', error }
  }
  if (!(result instanceof Promise) && !isThenable(result)) return { kind: 'returned', value: result }
  let timer: NodeJS.Timeout | undefined
  let poker: NodeJS.Timeout | undefined
  if (poke !== undefined) poker = setInterval(poke, 5)
  const hung = new Promise<Outcome>((resolve) => { timer = setTimeout(() => resolve({ kind: 'hung' }), hangMs) })
  try {
    return await Promise.race([Promise.resolve(result).then((value) => ({ kind: 'returned' as const, value }), (error: unknown) => ({ kind: 'threw' as const, error })), hung])
  } finally {
    clearTimeout(timer)
    clearInterval(poker)
  }
}

function isThenable(v: unknown): boolean {
  // A Task is awaitable; awaiting one the call returned is part of the call.
  try {
    return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function'
  } catch {
    return false // a hostile Proxy handed back as it went in
  }
}

/** Whether `error` is what a bad call may throw. */
export function acceptable(error: unknown): boolean {
  if (error instanceof UserError) return true
  // An aborted signal's reason, as documented: the user's own AbortSignal.abort() / AbortSignal.timeout().
  if (error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError')) return true
  const known = error instanceof SkeinError || error instanceof TypeError || error instanceof RangeError
  return known && typeof (error as Error).message === 'string' && (error as Error).message.length > 0
}

function show(v: unknown): string {
  try {
    // showProxy: a hostile Proxy's traps must not run while we describe it.
    return inspect(v, { depth: 2, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 60, showProxy: true }).slice(0, 300)
  } catch {
    return '<unprintable>'
  }
}

/** Fuzzes one subject; returns how many calls it made. Assertion messages carry the seed. */
export async function fuzz<T>(subject: Subject<T>, seed: number): Promise<number> {
  const r = new Random(seedFor(seed, subject.name))
  const where = (i: number, what: string, a: unknown[]) =>
    `${subject.name} case ${i}: ${what}(${a.map(show).join(', ')}) [replay: SKEIN_FUZZ_SEED=${seed} node scripts/run-tests.mjs test/fuzz/public-api.test.ts]`
  let o = await subject.make(r)
  try {
    for (let i = 0; i < subject.calls; i++) {
      if (i > 0 && i % REMAKE_EVERY === 0) {
        await subject.dispose?.(o)
        o = await subject.make(r)
      }
      if (subject.construct !== undefined && r.chance(0.15)) {
        const a = randomArgs(r, () => subject.plausibleNew?.(r) ?? [])
        const out = await settle(() => subject.construct!(a, r), undefined, subject.hangMs)
        assert.notEqual(out.kind, 'hung', `${where(i, 'new', a)} hung`)
        if (out.kind === 'threw') assert.ok(acceptable(out.error), `${where(i, 'new', a)} threw ${show(out.error)}`)
        else await subject.dispose?.(out.value)
        continue
      }
      const method = r.pick(subject.methods)
      await method.prepare?.(o)
      const a = randomArgs(r, () => method.plausible?.(r, o) ?? [])
      const before = show(await subject.state(o))
      const call = method.call ?? ((x: T, xs: unknown[]) => (x as Record<string, (...v: unknown[]) => unknown>)[method.name]!(...xs))
      const out = await settle(() => call(o, a), subject.poke === undefined ? undefined : () => subject.poke!(o), subject.hangMs)
      assert.notEqual(out.kind, 'hung', `${where(i, method.name, a)} did not settle within ${subject.hangMs ?? HANG_MS} ms`)
      if (out.kind === 'threw') {
        assert.ok(acceptable(out.error), `${where(i, method.name, a)} threw ${show(out.error)}`)
        if (!method.changesOnError?.test((out.error as Error).message)) assert.equal(show(await subject.state(o)), before, `${where(i, method.name, a)} threw ${show((out.error as Error).message)} but changed the state`)
      }
      try {
        await subject.sanity(o)
      } catch (error) {
        assert.fail(`${where(i, method.name, a)} left the object broken: a good call then failed with ${show(error)}`)
      }
    }
  } finally {
    await subject.dispose?.(o)
  }
  return subject.calls
}
