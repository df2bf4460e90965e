// An exhaustive interleaving explorer for wait protocols (in the spirit of
// Rust's loom, Java's jcstress and Microsoft's CHESS), small enough to read.
//
// How it works. A model is a few shared 32-bit words and 2–3 actors, each a
// generator that yields one step per shared-memory access (ops.ts). The
// explorer runs a depth-first search over every interleaving of those steps,
// and over every nondeterministic outcome: which sleepers a wake-one picks, a
// timeout that fires or not, a deadline that passed or not, a native waiter
// thread that drops a cancelled wait now or later. Two reductions keep 2–3
// actors cheap, and neither skips a reachable state:
// - state caching: a state is the shared words, the ghost (checker) state,
//   the futex sleepers and each actor's position — identified by what it was
//   fed in each open scope (ops.ts `scoped`, `mark`: a finished operation
//   counts only by its result), which determines a deterministic generator's
//   locals — so schedules that reach the same state are explored once;
// - sleep sets (Godefroid): after exploring step t from a state, a sibling
//   branch does not take t again while it only runs steps independent of t
//   (different actors, no common word written, not both touching the ghost),
//   which would reach the same states in the other order. With caching, a
//   state seen again is re-explored for the steps its first visit slept on.
// Generators can't be copied, so a branch that needs an actor at an earlier
// position replays it from the start with its recorded inputs.
//
// It reports (with the schedule that leads there):
// - a `check()` that failed inside an actor (the primitive's contract);
// - a lost wake-up: no step is enabled and some actor has not finished — it
//   sleeps for ever although every other actor is done or asleep;
// - a failed final check once every actor finished (exact counts).
import { Violation, type Ghost, type Op, type Proc, type WaitOutcome } from './ops.js'

export interface Model {
  name: string
  /** The shared words and their initial values. */
  words: Record<string, number>
  /** Initial checker state (JSON-like values only: it is hashed). */
  ghost?: Ghost
  /** 2–3 actors by name; each call returns a fresh generator (it is replayed). */
  actors: Record<string, () => Proc>
  /** Checked once every actor has finished (throw through `check`). */
  final?: (mem: Readonly<Record<string, number>>, ghost: Ghost) => void
  /**
   * Called when no step is enabled but some actors have not finished (names
   * given): return normally if they may legitimately wait for ever (a
   * barrier short of parties), throw through `check` otherwise. Without it,
   * that state is a lost wake-up.
   */
  stuck?: (mem: Readonly<Record<string, number>>, ghost: Ghost, actors: string[]) => void
  /** Steps per actor before a schedule is cut as too long (default 200). */
  maxSteps?: number
}

export interface Counterexample {
  kind: string
  message: string
  /** One line per step: actor, what it did, what it got. */
  schedule: string[]
  /** The shared words and sleepers where it failed. */
  state: string
}

export interface Exploration {
  model: string
  /** Distinct states visited. */
  states: number
  /** Steps executed (edges of the state graph). */
  steps: number
  /** Complete schedules (states where every actor finished). */
  schedules: number
  /** Schedules cut by maxSteps (a retry loop that never settled). */
  cut: number
  ms: number
  /** The first counterexample of each kind found (only the first, unless `all`). */
  violations: Counterexample[]
}

export interface ExploreOptions {
  /** Keep exploring after a violation, collecting the first counterexample of each kind. */
  all?: boolean
  /** With `all`: stop as soon as a counterexample of each of these kinds was found. */
  until?: string[]
  /** Sleep sets on (default) or off (to check that they change nothing but the work). */
  sleepSets?: boolean
  /** Fail (throw) past this many states, so a model that grew too big says so (default 2,000,000). */
  maxStates?: number
}

// armed: queued in the kernel; woken: its wake is waiting for the owner; cancelling: cancelled
// but still queued (the native thread has not looked again); passing: the native side owes one
// FUTEX_WAKE (it took a wake, or its word moved, after the wait was cancelled); gone.
type TokenState = 'armed' | 'woken' | 'cancelling' | 'passing' | 'gone'
interface Token {
  word: number
  owner: number
  /** A kernel futex sleeper (its timeout dequeues it) or a native waiter thread's (it sleeps until it drops the wait). */
  kernel: boolean
  state: TokenState
  expected: number
  /** Set by a cancel: a wake this cancelled wait takes is passed on (the fixed native waiter). */
  passOn: boolean
}

type History = { value: unknown; prev: History } | null

interface Actor {
  hist: History // what it was fed, newest first (replays need it)
  /** The actor's identity: a hash per open scope of what it was fed there (ops.ts `scoped`, `mark`). */
  scopes: number[]
  op: Op | undefined // the next step; undefined once finished
  steps: number
  live: Proc | undefined // a generator positioned at hist, taken by the first successor that needs it
  sleepOn: number // the token it is blocked on, or -1
}

interface State {
  mem: number[]
  ghost: Ghost
  ghostKey: string
  actors: Actor[]
  tokens: Token[]
}

type Move =
  | { kind: 'step'; actor: number; choice: number }
  | { kind: 'resume'; actor: number }
  | { kind: 'timeout'; actor: number }
  | { kind: 'drop'; token: number }
  | { kind: 'pass'; token: number; choice: number }

class Stop extends Error {}

/** What a step touched: two steps of different actors that touch nothing in common commute. */
interface Footprint {
  actor: number // the native thread dropping token t counts as actor -1 - t
  reads: string[]
  writes: string[] // futex queues count as words ('futex:W'), and so does token numbering
  ghost: boolean // ran checker bookkeeping (treated as touching one shared word)
}

interface Step {
  child: State
  line: () => string // formatted only for a counterexample
  fp: Footprint
}

/** A step whose actor then failed a check: the check and the step's schedule line. */
class FailedStep extends Error {
  constructor(readonly violation: Violation, readonly line: () => string) {
    super(violation.message)
  }
}

const TOKENS = 'token numbering'
const NONE: string[] = []
const NO_SLEEP: ReadonlyMap<string, Footprint> = new Map()

const atOf = (op: Op): string | undefined => ('at' in op ? op.at : undefined)

const moveId = (m: Move): string =>
  m.kind === 'drop' ? `drop ${m.token}` : m.kind === 'pass' ? `pass ${m.token} ${m.choice}` : `${m.actor} ${m.kind} ${m.kind === 'step' ? m.choice : ''}`

function independent(a: Footprint, b: Footprint): boolean {
  if (a.actor === b.actor || (a.ghost && b.ghost)) return false
  return !touches(a.writes, b) && !touches(b.writes, a)
}

function touches(words: string[], other: Footprint): boolean {
  return words.some((x) => other.reads.includes(x) || other.writes.includes(x))
}

/** Explores every interleaving of the model's actors; see the file comment. */
export function explore(model: Model, opts: ExploreOptions = {}): Exploration {
  const started = performance.now()
  const names = Object.keys(model.words)
  const index = new Map(names.map((n, i) => [n, i]))
  const actorNames = Object.keys(model.actors)
  const bodies = actorNames.map((n) => model.actors[n])
  const maxSteps = model.maxSteps ?? 200
  const maxStates = opts.maxStates ?? 2_000_000
  const visited = new Map<string, string[]>() // state → the sleep set it was explored with
  const path: Array<() => string> = []
  const result: Exploration = { model: model.name, states: 0, steps: 0, schedules: 0, cut: 0, ms: 0, violations: [] }
  const seenKinds = new Set<string>()

  const wordOf = (name: string): number => {
    const i = index.get(name)
    if (i === undefined) throw new Error(`model ${model.name}: unknown word ${name} (declare it in words)`)
    return i
  }

  const fail = (v: Violation, s: State, last?: () => string): void => {
    if (!seenKinds.has(v.kind)) {
      seenKinds.add(v.kind)
      result.violations.push({ kind: v.kind, message: v.message, schedule: (last === undefined ? path : [...path, last]).map((l) => l()), state: describeState(s) })
    }
    if (!opts.all || (opts.until !== undefined && opts.until.every((k) => seenKinds.has(k)))) throw new Stop()
  }

  const describeState = (s: State): string => {
    const words = names.map((n, i) => `${n}=${s.mem[i]}`).join(' ')
    const who = s.actors.map((a, i) => `${actorNames[i]}: ${a.op === undefined ? 'done' : a.sleepOn >= 0 ? `asleep on ${names[s.tokens[a.sleepOn].word]} (${s.tokens[a.sleepOn].state})` : `before ${describeOp(a.op)}`}`)
    return `${words}\n${who.join('\n')}\nghost ${s.ghostKey}`
  }

  const describeOp = (op: Op): string => {
    switch (op.kind) {
      case 'load': return `load ${op.word}`
      case 'rmw': return `${op.word} ${op.name}`
      case 'wait': return `futexWait(${op.word}, ${op.expected}${op.timed ? ', timeout' : ''})`
      case 'wake': return `futexWake(${op.word}, ${op.count === Infinity ? 'all' : op.count})`
      case 'arm': return `waitAsync(${op.word}, ${op.expected})`
      case 'park': return `await token ${op.token}${op.timed ? ' (timer armed)' : ''}`
      case 'cancel': return `cancelWait(token ${op.token})`
      case 'await': return `await ${op.word} == ${op.expected}`
      case 'choose': return `choose`
      case 'ghost': return 'ghost'
      case 'mark': case 'enter': case 'exit': return op.kind
    }
  }

  // ----- actors: advancing a generator, replaying it when a branch needs an earlier position

  const replay = (i: number, hist: History): Proc => {
    const fed: unknown[] = []
    for (let h: History = hist; h !== null; h = h.prev) fed.push(h.value)
    const gen = bodies[i]()
    for (let k = fed.length - 1; k >= 0; k--) gen.next(fed[k])
    return gen
  }

  /**
   * Runs the actor's instant ops (ghost bookkeeping, marks) up to its next
   * step, feeding each its result; records what it was fed.
   */
  const settle = (s: State, parent: State | undefined, a: Actor, gen: Proc, fed: unknown, fp: Footprint | undefined): void => {
    let next = fed
    for (;;) {
      a.hist = { value: next, prev: a.hist }
      a.scopes[a.scopes.length - 1] = mix(a.scopes[a.scopes.length - 1], next)
      const r = gen.next(next) // may throw a Violation: the caller reports it
      if (r.done) return
      const op = r.value
      next = undefined
      if (op.kind === 'mark') {
        a.scopes[a.scopes.length - 1] = mix(0, op.locals)
        continue
      }
      if (op.kind === 'enter') {
        a.scopes.push(0)
        continue
      }
      if (op.kind === 'exit') {
        a.scopes.pop()
        a.scopes[a.scopes.length - 1] = mix(a.scopes[a.scopes.length - 1], op.value)
        continue
      }
      if (op.kind !== 'ghost') {
        a.op = op
        a.live = gen
        if (op.kind === 'park') {
          if (op.token < 0) throw new Error(`model ${model.name}: an actor parks on no token (waitAsync returned -1: the word had moved)`)
          a.sleepOn = op.token
        }
        return
      }
      if (parent !== undefined && s.ghost === parent.ghost) s.ghost = JSON.parse(parent.ghostKey) as Ghost
      next = op.apply(s.ghost)
      s.ghostKey = JSON.stringify(s.ghost)
      if (fp !== undefined) fp.ghost = true
    }
  }

  /** Feeds `value` to actor i of `s` (a copy of `parent` for the child), then runs its instant ops. */
  const advance = (parent: State, s: State, i: number, value: unknown, fp: Footprint): void => {
    const before = parent.actors[i]
    let gen = before.live
    if (gen !== undefined) before.live = undefined
    else gen = replay(i, before.hist)
    const a: Actor = { hist: before.hist, scopes: [...before.scopes], op: undefined, steps: before.steps + 1, live: undefined, sleepOn: -1 }
    s.actors[i] = a
    settle(s, parent, a, gen, value, fp)
  }

  const initial = (): State => {
    const ghost0 = model.ghost ?? {}
    const s: State = { mem: names.map((n) => model.words[n]), ghost: JSON.parse(JSON.stringify(ghost0)) as Ghost, ghostKey: JSON.stringify(ghost0), actors: [], tokens: [] }
    bodies.forEach((body) => {
      const a: Actor = { hist: null, scopes: [0], op: undefined, steps: 0, live: undefined, sleepOn: -1 }
      s.actors.push(a)
      settle(s, undefined, a, body(), undefined, undefined)
    })
    return s
  }

  // ----- moves

  const sleepersOf = (s: State, word: number): number[] => {
    const out: number[] = []
    s.tokens.forEach((t, id) => {
      if (t.word === word && (t.state === 'armed' || t.state === 'cancelling')) out.push(id)
    })
    return out
  }

  const movesOf = (s: State): Move[] | 'cut' => {
    const moves: Move[] = []
    for (let i = 0; i < s.actors.length; i++) {
      const a = s.actors[i]
      const op = a.op
      if (op === undefined) continue
      if (a.steps > maxSteps) return 'cut'
      if (a.sleepOn >= 0) {
        const t = s.tokens[a.sleepOn]
        if (t.state === 'woken') moves.push({ kind: 'resume', actor: i })
        const timed = (op.kind === 'wait' || op.kind === 'park') && op.timed
        if (timed && (t.state !== 'woken' || !t.kernel)) moves.push({ kind: 'timeout', actor: i })
        continue
      }
      if (op.kind === 'await') {
        if (s.mem[wordOf(op.word)] === op.expected) moves.push({ kind: 'step', actor: i, choice: 0 })
      } else if (op.kind === 'choose') {
        op.options.forEach((_, c) => moves.push({ kind: 'step', actor: i, choice: c }))
      } else if (op.kind === 'wake') {
        const n = sleepersOf(s, wordOf(op.word)).length
        const k = Math.min(op.count, n)
        const ways = combinations(n, k).length
        for (let c = 0; c < ways; c++) moves.push({ kind: 'step', actor: i, choice: c })
      } else {
        moves.push({ kind: 'step', actor: i, choice: 0 })
      }
    }
    s.tokens.forEach((t, id) => {
      if (t.state === 'cancelling') moves.push({ kind: 'drop', token: id })
      if (t.state === 'passing') {
        const n = sleepersOf(s, t.word).length
        combinations(n, Math.min(1, n)).forEach((_, c) => moves.push({ kind: 'pass', token: id, choice: c }))
      }
    })
    return moves
  }

  // Helpers of apply(), made once (closures made per step cost more than the step).

  /** The child's own copy of the tokens (copied on first write). */
  function tokensOf(s: State, c: State): Token[] {
    if (c.tokens === s.tokens) c.tokens = s.tokens.map((t) => ({ ...t }))
    return c.tokens
  }

  function queueOf(w: number): string {
    return `futex:${names[w]}`
  }

  /** Wakes the chosen sleepers of word w: returns how each is named in the schedule. */
  function wakeChosen(s: State, c: State, w: number, count: number, choice: number): string[] {
    const sleepers = sleepersOf(s, w)
    const chosen = combinations(sleepers.length, Math.min(count, sleepers.length))[choice].map((k) => sleepers[k])
    return chosen.map((id) => {
      const t = tokensOf(s, c)[id]
      const cancelled = t.state === 'cancelling'
      t.state = cancelled ? (t.passOn ? 'passing' : 'gone') : 'woken'
      return `${actorNames[t.owner]}${t.kernel ? '' : ` (native token ${id}${cancelled ? ', cancelled' : ''})`}`
    })
  }

  /** Feeds `value` to actor i (the step's result) and makes the step record. */
  function stepped(s: State, c: State, i: number, value: unknown, text: () => string, fp: Footprint): Step {
    const line = lineOf(i, s.actors[i].op!, text)
    try {
      advance(s, c, i, value, fp)
    } catch (error) {
      if (error instanceof Violation) throw new FailedStep(error, line)
      throw error
    }
    return { child: c, line, fp }
  }

  function lineOf(i: number, op: Op, text: () => string): () => string {
    return () => `${actorNames[i]}: ${text()}${atOf(op) === undefined ? '' : `   [${atOf(op)}]`}`
  }

  /** Applies a move to a copy of `s`: the child, its schedule line and what it touched. */
  function apply(s: State, m: Move): Step {
    const c: State = { mem: s.mem, ghost: s.ghost, ghostKey: s.ghostKey, actors: [...s.actors], tokens: s.tokens }
    if (m.kind === 'drop' || m.kind === 'pass') {
      const t = s.tokens[m.token]
      const fp: Footprint = { actor: -1 - m.token, reads: [names[t.word]], writes: [queueOf(t.word)], ghost: false }
      if (m.kind === 'drop') {
        const moved = s.mem[t.word] !== t.expected
        tokensOf(s, c)[m.token].state = t.passOn && moved ? 'passing' : 'gone'
        return { child: c, line: () => `native: leaves the kernel, drops cancelled token ${m.token} (${names[t.word]} ${moved ? (t.passOn ? 'moved: passes a wake on' : 'moved') : 'unchanged'})`, fp }
      }
      tokensOf(s, c)[m.token].state = 'gone'
      const woke = wakeChosen(s, c, t.word, 1, m.choice)
      return { child: c, line: () => `native: passes on the wake of token ${m.token}: futexWake(${names[t.word]}, 1) -> woke ${woke.length === 0 ? 'nobody' : woke.join(', ')}`, fp }
    }
    const i = m.actor
    const a = s.actors[i]
    const op = a.op!
    const fp: Footprint = { actor: i, reads: [], writes: [], ghost: false }
    if (m.kind === 'resume' || m.kind === 'timeout') {
      const outcome: WaitOutcome = m.kind === 'resume' ? 'woken' : 'timed-out'
      // A woken sleeper's wake is consumed; a kernel timeout dequeues the sleeper. A JS timer that
      // fires first leaves the native thread asleep on the word: the model must cancel it.
      if (m.kind === 'resume' || s.tokens[a.sleepOn].kernel) tokensOf(s, c)[a.sleepOn].state = 'gone'
      fp.writes.push(queueOf(s.tokens[a.sleepOn].word))
      return stepped(s, c, i, outcome, () => `${describeOp(op)} -> ${outcome}`, fp)
    }
    switch (op.kind) {
      case 'load': {
        const w = wordOf(op.word)
        fp.reads.push(op.word)
        return stepped(s, c, i, s.mem[w], () => `${describeOp(op)} -> ${s.mem[w]}`, fp)
      }
      case 'rmw': {
        const w = wordOf(op.word)
        const old = s.mem[w]
        c.mem = [...s.mem]
        c.mem[w] = op.apply(old)
        fp.writes.push(op.word)
        return stepped(s, c, i, old, () => `${describeOp(op)} (was ${old}, now ${c.mem[w]})`, fp)
      }
      case 'wait': {
        const w = wordOf(op.word)
        fp.reads.push(op.word)
        fp.writes.push(queueOf(w), TOKENS)
        if (s.mem[w] !== op.expected) return stepped(s, c, i, 'not-equal', () => `${describeOp(op)} -> not-equal (${op.word}=${s.mem[w]})`, fp)
        const id = tokensOf(s, c).length
        c.tokens.push({ word: w, owner: i, kernel: true, state: 'armed', expected: op.expected, passOn: false })
        c.actors[i] = { ...a, live: a.live, sleepOn: id }
        a.live = undefined
        return { child: c, line: () => `${actorNames[i]}: ${describeOp(op)} -> sleeps`, fp }
      }
      case 'wake': {
        const w = wordOf(op.word)
        const woke = wakeChosen(s, c, w, op.count, m.choice)
        fp.reads.push(queueOf(w))
        fp.writes.push(queueOf(w))
        return stepped(s, c, i, woke.length, () => `${describeOp(op)} -> woke ${woke.length === 0 ? 'nobody' : woke.join(', ')}`, fp)
      }
      case 'arm': {
        const w = wordOf(op.word)
        fp.reads.push(op.word)
        fp.writes.push(queueOf(w), TOKENS)
        if (s.mem[w] !== op.expected) return stepped(s, c, i, -1, () => `${describeOp(op)} -> not-equal`, fp)
        const id = tokensOf(s, c).length
        c.tokens.push({ word: w, owner: i, kernel: false, state: 'armed', expected: op.expected, passOn: false })
        return stepped(s, c, i, id, () => `${describeOp(op)} -> token ${id}`, fp)
      }
      case 'cancel': {
        const t = tokensOf(s, c)[op.token]
        t.passOn = op.passOn
        // Still queued: the native thread sleeps on until it looks again. Already woken: its
        // completion is on its way to nobody (the fixed wait core passes that wake on too).
        t.state = t.state === 'armed' ? 'cancelling' : t.state === 'woken' && op.passOn ? 'passing' : 'gone'
        fp.writes.push(queueOf(t.word))
        return stepped(s, c, i, undefined, () => describeOp(op), fp)
      }
      case 'await': {
        const w = wordOf(op.word)
        c.mem = [...s.mem]
        c.mem[w] = op.value
        fp.writes.push(op.word)
        return stepped(s, c, i, undefined, () => `${describeOp(op)}: ${op.word} = ${op.value}`, fp)
      }
      case 'choose':
        return stepped(s, c, i, m.choice, () => `chooses: ${op.options[m.choice]}`, fp)
      default:
        throw new Error(`unexpected step ${op.kind}`)
    }
  }

  // ----- the search: DFS with state caching and sleep sets

  const keyOf = (s: State): string => {
    let k = s.mem.join(',') + '|' + s.ghostKey
    for (const a of s.actors) k += '|' + a.scopes.join('/') + (a.op === undefined ? '.' : a.sleepOn >= 0 ? `@${a.sleepOn}` : '')
    for (const t of s.tokens) k += t.state === 'gone' ? '_' : t.state[0] + (t.passOn ? '+' : '')
    return k
  }

  /**
   * Visits `s` with sleep set `sleep`: moves already explored from an
   * earlier sibling and independent of every step since, so exploring them
   * here would only reach states reached there. A state seen before is
   * explored again only for the moves its earlier visit slept on and this
   * one does not (Godefroid's sleep sets with state caching).
   */
  const visit = (s: State, sleep: ReadonlyMap<string, Footprint>): void => {
    const key = keyOf(s)
    const stored = visited.get(key)
    let only: string[] | undefined
    if (stored !== undefined) {
      only = stored.filter((id) => !sleep.has(id))
      if (only.length === 0) return
      visited.set(key, stored.filter((id) => sleep.has(id)))
    } else {
      visited.set(key, sleep.size === 0 ? NONE : [...sleep.keys()])
      if (++result.states > maxStates) throw new Error(`model ${model.name}: more than ${maxStates} states; make it smaller`)
    }
    const moves = movesOf(s)
    if (moves === 'cut') {
      if (stored === undefined) result.cut++
      return
    }
    if (moves.length === 0) {
      if (stored === undefined) terminal(s)
      return
    }
    const done: Array<[string, Footprint]> = []
    for (const m of moves) {
      const id = moveId(m)
      if (sleep.has(id) || (only !== undefined && !only.includes(id))) continue
      let st: Step
      try {
        st = apply(s, m)
      } catch (error) {
        if (!(error instanceof FailedStep)) throw error
        fail(error.violation, s, error.line)
        continue
      }
      result.steps++
      let childSleep: Map<string, Footprint> | undefined
      if (opts.sleepSets !== false) {
        for (const [sid, sfp] of sleep) if (independent(sfp, st.fp)) (childSleep ??= new Map()).set(sid, sfp)
        for (const [did, dfp] of done) if (independent(dfp, st.fp)) (childSleep ??= new Map()).set(did, dfp)
      }
      path.push(st.line)
      visit(st.child, childSleep ?? NO_SLEEP)
      path.pop()
      done.push([id, st.fp])
    }
  }

  const terminal = (s: State): void => {
    const mem = () => Object.fromEntries(names.map((n, i) => [n, s.mem[i]]))
    const stuck = s.actors.map((a, i) => [a, i] as const).filter(([a]) => a.op !== undefined)
    try {
      if (stuck.length > 0) {
        const lost = () => {
          const who = stuck.map(([a, i]) => `${actorNames[i]} sleeps for ever in ${describeOp(a.op!)}${atOf(a.op!) === undefined ? '' : ` [${atOf(a.op!)}]`}`)
          throw new Violation('lost wake-up', `${who.join('; ')}, and no other actor can wake it`)
        }
        if (model.stuck === undefined) lost()
        model.stuck!(mem(), s.ghost, stuck.map(([, i]) => actorNames[i]))
      } else {
        model.final?.(mem(), s.ghost)
      }
      result.schedules++
    } catch (error) {
      if (!(error instanceof Violation)) throw error
      fail(error, s)
    }
  }

  try {
    visit(initial(), new Map())
  } catch (error) {
    if (!(error instanceof Stop)) throw error
  }
  result.ms = Math.round(performance.now() - started)
  return result
}

/** The counterexample as text: the schedule, then the state where it failed. */
export function formatCounterexample(model: string, v: Counterexample): string {
  const lines = v.schedule.map((l, n) => `  ${String(n + 1).padStart(3)}. ${l}`)
  return `${model}: ${v.message}\nschedule:\n${lines.join('\n')}\nstate:\n  ${v.state.split('\n').join('\n  ')}`
}

const combinationCache = new Map<string, number[][]>()

/** Every k-subset of 0..n-1 (which sleepers a wake of k picks). */
function combinations(n: number, k: number): number[][] {
  const key = `${n},${k}`
  let out = combinationCache.get(key)
  if (out !== undefined) return out
  out = []
  const pick = (from: number, acc: number[]): void => {
    if (acc.length === k) {
      out!.push([...acc])
      return
    }
    for (let j = from; j < n; j++) pick(j + 1, [...acc, j])
  }
  pick(0, [])
  combinationCache.set(key, out)
  return out
}

/** A running hash (53 bits) of an actor's inputs in one scope (its position there). */
function mix(key: number, value: unknown): number {
  let h1 = ((key / 4294967296) >>> 0) ^ 0xdeadbeef
  let h2 = (key >>> 0) ^ 0x41c6ce57
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 31) {
    h1 = Math.imul(h1 ^ 1, 2654435761)
    h2 = Math.imul(h2 ^ 1, 1597334677)
    h1 = Math.imul(h1 ^ value, 2654435761)
    h2 = Math.imul(h2 ^ value, 1597334677)
  } else {
    const text = value === undefined ? '' : JSON.stringify(value)
    h1 = Math.imul(h1 ^ 2, 2654435761)
    h2 = Math.imul(h2 ^ 2, 1597334677)
    for (let i = 0; i < text.length; i++) {
      h1 = Math.imul(h1 ^ text.charCodeAt(i), 2654435761)
      h2 = Math.imul(h2 ^ text.charCodeAt(i), 1597334677)
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (h1 >>> 0) * 2097152 + (h2 >>> 11)
}
