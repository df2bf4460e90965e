/**
 * Deadlocks named as they happen: what a waiter does when its wait closes a
 * cycle in the wait-for graph, under the policy `setDeadlockPolicy()` (or
 * `SKEIN_DEADLOCKS`) sets.
 *
 * How it works. Only waits that can be part of a cycle are checked (locks,
 * semaphores, joins), and only once they have slept FIRST_CHECK_MS, then
 * every CHECK_EVERY_MS: a blocking waiter checks when its sliced sleep
 * returns, a thread's async waiters share one timer. A check reads the
 * registries its chain of waits leads to (reader/related.ts), builds the
 * wait-for graph (graph.ts) and looks for a cycle through this wait. Every
 * member of a cycle sees it; only the one whose wait began last acts (the
 * one that *closed* it): it prints the cycle once ('warn'), or its wait
 * fails with a DeadlockError carrying the cycle ('throw'). A cycle is acted
 * on only when two checks in a row saw it: a deadlock never ends, while a
 * read can catch a release half done (a semaphore's permit record dropped,
 * its count not yet raised, reads as a thread waiting for itself), and a
 * cycle through an async wait may be a task still running (graph.ts).
 */
import { writeSync } from 'node:fs'
import { DeadlockError } from '../errors.js'
import { KIND } from './layout.js'
import { relatedRegistries } from './reader/related.js'
import { deadlocksOf, keyFor, threadNodes } from './reader/wait-graph.js'
import type { CycleMember, Deadlock } from './schema.js'
import { native } from '../native.js'

/** What a waiter does when its wait closes a deadlock. */
export type DeadlockPolicy = 'warn' | 'throw' | 'off'

const POLICIES: readonly DeadlockPolicy[] = ['warn', 'throw', 'off']

/** First check after a waiter slept this long (ms). */
export const FIRST_CHECK_MS = 100
/** Then a check this often (ms). */
export const CHECK_EVERY_MS = 250

const kPolicy = Symbol.for('skein.observe.deadlockPolicy')
const g = globalThis as unknown as Record<symbol, DeadlockPolicy | undefined>

function fromEnv(): DeadlockPolicy {
  const value = process.env.SKEIN_DEADLOCKS
  if (value === undefined || value === '') return 'warn'
  if ((POLICIES as readonly string[]).includes(value)) return value as DeadlockPolicy
  writeSync(2, `skein: SKEIN_DEADLOCKS=${JSON.stringify(value)} is not one of warn, throw, off; using warn\n`)
  return 'warn'
}

/**
 * Sets what a wait does when it closes a deadlock (a cycle of threads each
 * holding what the next waits for): `'warn'` (the default) prints the cycle
 * on stderr once, `'throw'` fails that wait with a `DeadlockError` carrying
 * the cycle, `'off'` does nothing (`skein top` still shows it). Per thread;
 * `SKEIN_DEADLOCKS=warn|throw|off` sets it for every thread and process
 * started with that environment.
 *
 * @example
 * import { setDeadlockPolicy, Lock, DeadlockError } from 'skein'
 * setDeadlockPolicy('throw')
 * // a lock acquire that would wait forever in a cycle now rejects with DeadlockError
 */
export function setDeadlockPolicy(policy: DeadlockPolicy): void {
  if (!(POLICIES as readonly unknown[]).includes(policy)) {
    throw new TypeError(`setDeadlockPolicy(policy): policy must be 'warn', 'throw' or 'off' (got ${JSON.stringify(policy)})`)
  }
  g[kPolicy] = policy
}

/** The policy in force in this thread. @example import { deadlockPolicy } from 'skein'; console.log(deadlockPolicy()) // 'warn' */
export function deadlockPolicy(): DeadlockPolicy {
  return g[kPolicy] ??= fromEnv()
}

/** Whether waits on objects of `kind` (layout.ts KIND) are checked. */
export function checkedKind(kind: number): boolean {
  return kind === KIND.Lock || kind === KIND.RLock || kind === KIND.Semaphore || kind === KIND.BoundedSemaphore || kind === KIND.Thread || kind === KIND.Process
}

/** Per wait (keyed by its start time): a cycle seen once (acted on at the second check), a round waited for members' lines, and cycles already reported. */
const seen = new Map<number, { pending: boolean; awaitedLines: boolean; reported: boolean }>()

/**
 * Checks whether this thread's wait that began at `since` (epoch ms, its
 * record's) closes a deadlock, and acts by the policy: returns the
 * DeadlockError to throw, or undefined (none, not the closer, or warned).
 */
export function checkWait(since: number): DeadlockError | undefined {
  const policy = deadlockPolicy()
  if (policy === 'off') return undefined
  let state = seen.get(since)
  if (state?.reported === true) return undefined
  const closing = closedBy(since)
  if (closing === undefined) {
    if (state !== undefined) state.pending = false
    return undefined
  }
  if (state === undefined) {
    state = { pending: false, awaitedLines: false, reported: false }
    seen.set(since, state)
    if (seen.size > 4096) seen.delete(seen.keys().next().value!)
  }
  if (!state.pending) {
    state.pending = true
    return undefined
  }
  // A blocking member records its code line at its own first check, which
  // may run after ours (its thread busy, or its sleep slice ending later):
  // wait one more round for it rather than print the cycle without it.
  if (!state.awaitedLines && closing.cycle.some((m) => m.waitsFor.line === undefined)) {
    state.awaitedLines = true
    return undefined
  }
  state.reported = true
  const message = describeDeadlock(closing)
  if (policy === 'warn') {
    writeSync(2, `skein: warning: ${message}\n`)
    return undefined
  }
  return new DeadlockError(message, closing.cycle)
}

/** Forgets a finished wait's check state. */
export function waitEnded(since: number): void {
  seen.delete(since)
}

/** The deadlock this thread's wait `since` closed (it began last in the cycle), if any. */
function closedBy(since: number): Deadlock | undefined {
  return closers().get(since)
}

let lastClosers: { at: number; bySince: Map<number, Deadlock> } | undefined

/** Deadlocks closed by waits of this thread, by the wait's start; one read of the registries serves the checks of one round. */
function closers(): Map<number, Deadlock> {
  const now = performance.now()
  if (lastClosers !== undefined && now - lastClosers.at < 20) return lastClosers.bySince
  const tid = native.gettid()
  const nodes = threadNodes(relatedRegistries(tid), false)
  const me = keyFor({ pid: process.pid, tid })
  const bySince = new Map<number, Deadlock>()
  for (const d of deadlocksOf(nodes)) {
    const closer = d.cycle.reduce((a, b) => (b.waitsFor.since > a.waitsFor.since || (b.waitsFor.since === a.waitsFor.since && b.tid > a.tid) ? b : a))
    if (keyFor(closer) === me) bySince.set(closer.waitsFor.since, d)
  }
  lastClosers = { at: now, bySince }
  return bySince
}

/** A deadlock in words: who holds what and waits for what, and what to do. */
export function describeDeadlock(d: Deadlock): string {
  const lines = d.cycle.map((m) => `  ${who(m)} ${m.holds.length === 0 ? 'is being joined' : `holds ${objects(m.holds)}`}, waits for ${m.waitsFor.kind} "${m.waitsFor.name}" (${m.waitsFor.form} ${m.waitsFor.op} for ${ago(m.waitsFor.since)}${m.waitsFor.line === undefined ? '' : `, at ${m.waitsFor.line}`})`)
  const doubt = d.certain ? '' : ' (an async wait is in it: if the holding task still runs rather than waits, it is not a deadlock)'
  return `deadlock: ${d.cycle.length === 1 ? 'a thread waits for itself' : `${d.cycle.length} threads wait for each other`}, and none can move again${doubt}:\n${lines.join('\n')}\n` +
    '  Take locks in one order everywhere, release before joining, or pass a timeout; `skein top` shows the whole graph'
}

function who(m: CycleMember): string {
  return `pid ${m.pid} thread "${m.name}" (tid ${m.tid})`
}

function objects(list: CycleMember['holds']): string {
  return list.map((o) => `${o.kind} "${o.name}"`).join(', ')
}

function ago(since: number): string {
  const ms = Math.max(0, performance.timeOrigin + performance.now() - since)
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
