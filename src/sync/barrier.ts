/**
 * Barrier: Python's `threading.Barrier`, one object for tasks, threads and
 * processes.
 *
 * How it works (docs/architecture.md, "Wait protocols: Barrier"). One word,
 * STATE, holds everything a party decides from: the generation (11 bits),
 * the phase (FILLING, DRAINING while the last party runs the action,
 * BROKEN), whether the previous generation ended broken, and the count of
 * parties arrived (18 bits). An arrival is one successful CAS on STATE and is
 * never repeated; the last arrival's CAS also moves the phase to DRAINING, so
 * nobody can join a full generation. Ending a generation (the last party
 * after its action, or a break: timeout, abort, reset, a throwing action) is
 * one CAS to (generation + 1, count 0, its outcome), so the number and the
 * count always change together. Parties sleep on SEQ, read before STATE and
 * bumped after every generation change. A party of generation g that sees
 * g + 1 reads g's outcome in STATE itself; one that slept through more
 * generations reads RING, where g's outcome is written before the state can
 * reach g + 2 (32 generations deep).
 */
import { claimSlot, describeStruct, reviveAt } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, registerKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { nameFrom, revivedName, type NameOptions } from '../observe/names.js'
import { KIND, OP } from '../observe/layout.js'
import { WaitWord, deadlineOf } from './wait.js'
import { checkTimeout } from './options.js'
import { BrokenBarrierError } from '../errors.js'

const STATE = 0
const SEQ = 1
const FLAGS = 2
const WAITERS = 3
const PARTIES = 4
const RING = 5
const WORDS = 6

const COUNT = (1 << 18) - 1
const PHASE = 3 << 18
const FILLING = 0
const DRAINING = 1 << 18
const BROKEN = 2 << 18
const PREV_BROKEN = 1 << 20
const GEN_SHIFT = 21
const GENS = 1 << 11
const RING_DEPTH = 32

/** The most parties a Barrier can have (the width of its count). */
export const MAX_PARTIES = COUNT

/** How a generation ended, as far as one of its parties can tell. */
const WAITING = 0
const PASSED = 1
const ENDED_BROKEN = 2
type Outcome = typeof WAITING | typeof PASSED | typeof ENDED_BROKEN

const genOf = (state: number): number => state >>> GEN_SHIFT

/**
 * Options of a Barrier.
 *
 * @example
 * import { Barrier } from 'skein'
 * export function report() { console.log('all arrived') }
 * const b = new Barrier(2, { action: report, timeout: 5000 })
 */
export interface BarrierOptions extends NameOptions {
  /** Run by the last party to arrive, before any is released. Must be an exported function to cross processes. */
  action?: () => unknown
  /** Default timeout of `wait()`, in ms. */
  timeout?: number
}

/**
 * A rendezvous for a fixed number of parties.
 *
 * @example
 * import { Barrier } from 'skein'
 * const b = new Barrier(2)
 * const [i, j] = await Promise.all([b.wait(), b.wait()])
 * console.log([i, j].sort()) // [0, 1]
 *
 * Semantics: `wait()` returns an index in 0..parties-1 (arrival order) once
 * all parties arrived. A wait that times out, an `abort()`, or an action that
 * throws breaks the barrier: every waiting and later party gets
 * `BrokenBarrierError` until `reset()`.
 */
export class Barrier implements Shareable {
  readonly #segment: Segment
  readonly #keeper: object // frees the struct when collected with this handle (arena.ts)
  readonly #i32: Int32Array
  readonly #base: number
  readonly #action: (() => unknown) | undefined
  readonly #timeout: number | undefined
  readonly #word: WaitWord
  /** What `skein top` and errors call this barrier. */
  readonly name: string

  constructor(parties: number, opts: BarrierOptions = {}) {
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw new RangeError(`Barrier(parties): parties must be an integer from 1 to ${MAX_PARTIES} (got ${String(parties)})`)
    }
    if (opts.action !== undefined && typeof opts.action !== 'function') {
      throw new TypeError('Barrier: options.action must be a function')
    }
    this.#timeout = checkTimeout(opts.timeout, 'Barrier')
    this.#action = opts.action
    this.name = nameFrom({ name: opts.name }, 'Barrier', 'new Barrier()')
    const { segment, offset, fresh, keeper } = claimSlot(WORDS * 4)
    this.#keeper = keeper
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#word = new WaitWord(segment, this.#base + SEQ, this.#base + FLAGS, this.#base + WAITERS)
    this.#word.observed = { kind: KIND.Barrier, offset, name: this.name, op: OP.wait }
    if (fresh) Atomics.store(this.#i32, this.#base + PARTIES, parties)
  }

  /** The number of parties needed to pass. */
  get parties(): number {
    return Atomics.load(this.#i32, this.#base + PARTIES)
  }

  /** Parties currently waiting. */
  get nWaiting(): number {
    const state = this.#state()
    return (state & PHASE) === BROKEN ? 0 : state & COUNT
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return (this.#state() & PHASE) === BROKEN
  }

  /** Waits for all parties without blocking the event loop; resolves with this party's index. */
  async wait(timeout?: number): Promise<number> {
    const deadline = deadlineOf(checkTimeout(timeout, 'Barrier.wait()') ?? this.#timeout)
    let arrival: Arrival | undefined
    if (!(await this.#word.until(() => (arrival = this.#tryArrive()) !== undefined, deadline, undefined))) throw drainTimeout()
    const { index, gen } = arrival!
    if (index === this.parties - 1) {
      try {
        await this.#action?.()
      } catch (error) {
        this.#end(gen, true)
        throw error
      }
      return this.#passed(gen, index)
    }
    let outcome: Outcome = WAITING
    const ended = await this.#word.until(() => (outcome = this.#outcome(gen)) !== WAITING, deadline, undefined)
    return this.#result(ended, gen, index, outcome)
  }

  /** Like `wait`, blocking this thread (the action, if any, must be synchronous here). */
  waitSync(timeout?: number): number {
    const deadline = deadlineOf(checkTimeout(timeout, 'Barrier.waitSync()') ?? this.#timeout)
    let arrival: Arrival | undefined
    if (!this.#word.untilSync(() => (arrival = this.#tryArrive()) !== undefined, deadline)) throw drainTimeout()
    const { index, gen } = arrival!
    if (index === this.parties - 1) {
      try {
        this.#action?.()
      } catch (error) {
        this.#end(gen, true)
        throw error
      }
      return this.#passed(gen, index)
    }
    let outcome: Outcome = WAITING
    const ended = this.#word.untilSync(() => (outcome = this.#outcome(gen)) !== WAITING, deadline)
    return this.#result(ended, gen, index, outcome)
  }

  /** Breaks the barrier: waiting and future parties get BrokenBarrierError until `reset()`. */
  abort(): void {
    for (;;) {
      const state = this.#state()
      if ((state & PHASE) === BROKEN || this.#advance(state, true, BROKEN)) return
    }
  }

  /** Returns the barrier to its initial state; parties waiting now get BrokenBarrierError. */
  reset(): void {
    for (;;) {
      const state = this.#state()
      const anyoneIn = (state & PHASE) !== FILLING || (state & COUNT) > 0
      if (this.#advance(state, anyoneIn, FILLING)) return
    }
  }

  async [kDescribe](): Promise<HandleDescriptor> {
    this.#word.markShared()
    let action: unknown
    if (this.#action !== undefined) {
      const { describeFunction } = await import('../runtime/locate.js')
      action = await describeFunction(this.#action)
    }
    return { kind: 'Barrier', name: this.name, ...describeStruct(this.#keeper, this.#segment, this.#base * 4), action, timeout: this.#timeout }
  }

  #state(): number {
    return Atomics.load(this.#i32, this.#base + STATE)
  }

  /**
   * Joins the current generation with one CAS (a failed CAS changed nothing,
   * so trying again repeats no side effect); undefined while the generation
   * is full and its action runs (the caller sleeps on SEQ).
   */
  #tryArrive(): Arrival | undefined {
    const i32 = this.#i32
    const at = this.#base + STATE
    const parties = this.parties
    for (;;) {
      const state = Atomics.load(i32, at)
      const phase = state & PHASE
      if (phase === BROKEN) throw new BrokenBarrierError()
      if (phase === DRAINING) return undefined
      const count = state & COUNT
      if (count >= parties) throw corrupt(state, parties)
      const next = count + 1 === parties ? (state & ~(COUNT | PHASE)) | DRAINING | parties : state + 1
      if (Atomics.compareExchange(i32, at, state, next) === state) return { index: count, gen: genOf(state) }
    }
  }

  /** How generation `gen` ended, decided from one read of STATE (and RING for a party that slept through several). */
  #outcome(gen: number): Outcome {
    const state = this.#state()
    const behind = (genOf(state) - gen) & (GENS - 1)
    if (behind === 0) return WAITING
    if (behind === 1) return (state & PREV_BROKEN) !== 0 ? ENDED_BROKEN : PASSED
    if (behind > RING_DEPTH + 1) return ENDED_BROKEN // its record is gone: see the class notes
    return (Atomics.load(this.#i32, this.#base + RING) & (1 << (gen & 31))) !== 0 ? ENDED_BROKEN : PASSED
  }

  /**
   * Ends the generation of `state` (one CAS to the next generation with
   * count 0, `broken` as its outcome, `phase` as the new phase), then wakes
   * every sleeper. False if STATE moved meanwhile.
   */
  #advance(state: number, broken: boolean, phase: number): boolean {
    const i32 = this.#i32
    const gen = genOf(state)
    // The outcome of gen - 1 is final in `state`: record it before the state can leave gen + 1.
    const bit = 1 << ((gen - 1) & 31)
    if ((state & PREV_BROKEN) !== 0) Atomics.or(i32, this.#base + RING, bit)
    else Atomics.and(i32, this.#base + RING, ~bit)
    const next = (((gen + 1) & (GENS - 1)) << GEN_SHIFT) | (broken ? PREV_BROKEN : 0) | phase
    if (Atomics.compareExchange(i32, this.#base + STATE, state, next) !== state) return false
    Atomics.add(i32, this.#base + SEQ, 1)
    if (this.#word.waiting) this.#word.wake()
    return true
  }

  /** Ends generation `gen` if it is still current; false if someone else ended it first. */
  #end(gen: number, broken: boolean): boolean {
    for (;;) {
      const state = this.#state()
      if (genOf(state) !== gen) return false
      if (this.#advance(state, broken, broken ? BROKEN : FILLING)) return true
    }
  }

  /** The last party's return: its index, unless the generation was broken while the action ran. */
  #passed(gen: number, index: number): number {
    if (!this.#end(gen, false) && this.#outcome(gen) !== PASSED) throw new BrokenBarrierError()
    return index
  }

  /** A waiting party's return: its index if its generation passed; a timeout breaks the barrier. */
  #result(ended: boolean, gen: number, index: number, outcome: Outcome): number {
    if (!ended) {
      if (this.#end(gen, true)) {
        throw new BrokenBarrierError('Barrier.wait(): timed out before every party arrived; the barrier is now broken (call reset() to reuse it)')
      }
      outcome = this.#outcome(gen) // ended by someone else just before the timeout
    }
    if (outcome !== PASSED) throw new BrokenBarrierError()
    return index
  }
}

interface Arrival {
  index: number
  gen: number
}

function drainTimeout(): BrokenBarrierError {
  return new BrokenBarrierError('Barrier.wait(): timed out waiting for the previous generation to drain')
}

function corrupt(state: number, parties: number): Error {
  return new Error(`Barrier: its shared state is corrupt (count ${state & COUNT} of ${parties} parties); create a new Barrier`)
}

registerKind('Barrier', async (d, segment) => {
  let action: (() => unknown) | undefined
  if (d.action !== undefined) {
    const { loadFunction } = await import('../runtime/locate.js')
    action = (await loadFunction(d.action as never)) as () => unknown
  }
  return reviveAt(d, segment, () => new Barrier(1, { action, timeout: d.timeout as number | undefined, name: revivedName(d, 'Barrier') }))
})
