/**
 * Barrier: Python's `threading.Barrier`, one object for tasks, threads and
 * processes.
 *
 * How it works. Words: COUNT (arrived in this generation), GEN (the
 * generation; waiters sleep on it), BROKEN (1 after abort/timeout/failed
 * action, until reset), FLAGS, PARTIES, RING (bit g%32 set when generation g
 * ended broken). A party joins by CAS on COUNT; the last one runs the action,
 * resets COUNT and advances GEN. Whoever advances a generation records in RING
 * whether it ended broken, so a woken waiter knows whether to return its index
 * or throw `BrokenBarrierError`.
 */
import { claimSlot, describeStruct, reviveAt } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, registerKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { WaitWord, deadlineOf } from './wait.js'
import { checkTimeout } from './options.js'
import { BrokenBarrierError } from '../errors.js'

const COUNT = 0
const GEN = 1
const BROKEN = 2
const FLAGS = 3
const PARTIES = 4
const RING = 5
const WAITERS = 6 // unused by Barrier's own loops; kept for the common WaitWord layout
const WORDS = 7

/**
 * Options of a Barrier.
 *
 * @example
 * import { Barrier } from 'skein'
 * export function report() { console.log('all arrived') }
 * const b = new Barrier(2, { action: report, timeout: 5000 })
 */
export interface BarrierOptions {
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

  constructor(parties: number, opts: BarrierOptions = {}) {
    if (!Number.isInteger(parties) || parties < 1 || parties > 0x7fffffff) {
      throw new RangeError(`Barrier(parties): parties must be a positive integer (got ${String(parties)})`)
    }
    if (opts.action !== undefined && typeof opts.action !== 'function') {
      throw new TypeError('Barrier: options.action must be a function')
    }
    this.#timeout = checkTimeout(opts.timeout, 'Barrier')
    this.#action = opts.action
    const { segment, offset, fresh, keeper } = claimSlot(WORDS * 4)
    this.#keeper = keeper
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#word = new WaitWord(segment, this.#base + GEN, this.#base + FLAGS, this.#base + WAITERS)
    if (fresh) Atomics.store(this.#i32, this.#base + PARTIES, parties)
  }

  /** The number of parties needed to pass. */
  get parties(): number {
    return Atomics.load(this.#i32, this.#base + PARTIES)
  }

  /** Parties currently waiting. */
  get nWaiting(): number {
    return this.broken ? 0 : Atomics.load(this.#i32, this.#base + COUNT)
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return Atomics.load(this.#i32, this.#base + BROKEN) === 1
  }

  /** Waits for all parties without blocking the event loop; resolves with this party's index. */
  async wait(timeout?: number): Promise<number> {
    const deadline = deadlineOf(checkTimeout(timeout, 'Barrier.wait()') ?? this.#timeout)
    const { index, gen } = await this.#arrive(deadline)
    if (index === this.parties - 1) {
      try {
        await this.#action?.()
      } catch (error) {
        this.#advance(gen, true)
        throw error
      }
      this.#advance(gen, false)
      return index
    }
    for (;;) {
      if (Atomics.load(this.#i32, this.#base + GEN) !== gen) return this.#outcome(gen, index)
      if (deadline !== null && performance.now() >= deadline) return this.#timedOut(gen)
      await this.#word.sleep(gen, deadline, undefined)
    }
  }

  /** Like `wait`, blocking this thread (the action, if any, must be synchronous here). */
  waitSync(timeout?: number): number {
    const deadline = deadlineOf(checkTimeout(timeout, 'Barrier.waitSync()') ?? this.#timeout)
    let arrival: { index: number; gen: number } | undefined
    while (arrival === undefined) {
      arrival = this.#tryArrive()
      if (arrival === undefined) {
        if (deadline !== null && performance.now() >= deadline) throw new BrokenBarrierError('Barrier.waitSync(): timed out waiting for the previous generation to drain')
        this.#word.sleepSync(Atomics.load(this.#i32, this.#base + GEN), deadline)
      }
    }
    const { index, gen } = arrival
    if (index === this.parties - 1) {
      try {
        this.#action?.()
      } catch (error) {
        this.#advance(gen, true)
        throw error
      }
      this.#advance(gen, false)
      return index
    }
    for (;;) {
      if (Atomics.load(this.#i32, this.#base + GEN) !== gen) return this.#outcome(gen, index)
      if (deadline !== null && performance.now() >= deadline) return this.#timedOut(gen)
      this.#word.sleepSync(gen, deadline)
    }
  }

  /** Breaks the barrier: waiting and future parties get BrokenBarrierError until `reset()`. */
  abort(): void {
    Atomics.store(this.#i32, this.#base + BROKEN, 1)
    this.#advance(Atomics.load(this.#i32, this.#base + GEN), true)
  }

  /** Returns the barrier to its initial state; parties waiting now get BrokenBarrierError. */
  reset(): void {
    const i32 = this.#i32
    if (Atomics.load(i32, this.#base + COUNT) > 0) this.#advance(Atomics.load(i32, this.#base + GEN), true)
    Atomics.store(i32, this.#base + COUNT, 0)
    Atomics.store(i32, this.#base + BROKEN, 0)
  }

  async [kDescribe](): Promise<HandleDescriptor> {
    this.#word.markShared()
    let action: unknown
    if (this.#action !== undefined) {
      const { describeFunction } = await import('../process/locate.js')
      action = await describeFunction(this.#action)
    }
    return { kind: 'Barrier', ...describeStruct(this.#keeper, this.#segment, this.#base * 4), action, timeout: this.#timeout }
  }

  async #arrive(deadline: number | null): Promise<{ index: number; gen: number }> {
    for (;;) {
      const arrival = this.#tryArrive()
      if (arrival !== undefined) return arrival
      if (deadline !== null && performance.now() >= deadline) throw new BrokenBarrierError('Barrier.wait(): timed out waiting for the previous generation to drain')
      await this.#word.sleep(Atomics.load(this.#i32, this.#base + GEN), deadline, undefined)
    }
  }

  /** One CAS attempt to join this generation; undefined while it is full (draining). */
  #tryArrive(): { index: number; gen: number } | undefined {
    const i32 = this.#i32
    const parties = this.parties
    for (;;) {
      if (Atomics.load(i32, this.#base + BROKEN) === 1) throw new BrokenBarrierError()
      const gen = Atomics.load(i32, this.#base + GEN)
      const count = Atomics.load(i32, this.#base + COUNT)
      if (count >= parties) return undefined
      if (Atomics.compareExchange(i32, this.#base + COUNT, count, count + 1) === count) {
        if (Atomics.load(i32, this.#base + GEN) !== gen) continue // raced with a reset; harmless retry
        return { index: count, gen }
      }
    }
  }

  /** Ends generation `gen` (once), recording whether it broke, and wakes everyone. */
  #advance(gen: number, broken: boolean): void {
    const i32 = this.#i32
    const bit = 1 << (gen & 31)
    if (broken) {
      Atomics.store(i32, this.#base + BROKEN, 1)
      Atomics.or(i32, this.#base + RING, bit)
    } else {
      Atomics.and(i32, this.#base + RING, ~bit)
    }
    Atomics.and(i32, this.#base + RING, ~(1 << ((gen + 1) & 31)))
    Atomics.store(i32, this.#base + COUNT, 0)
    if (Atomics.compareExchange(i32, this.#base + GEN, gen, gen + 1) === gen) {
      this.#word.wake()
    }
  }

  #outcome(gen: number, index: number): number {
    if (Atomics.load(this.#i32, this.#base + RING) & (1 << (gen & 31))) throw new BrokenBarrierError()
    return index
  }

  #timedOut(gen: number): never {
    this.#advance(gen, true)
    throw new BrokenBarrierError('Barrier.wait(): timed out before every party arrived; the barrier is now broken (call reset() to reuse it)')
  }
}

registerKind('Barrier', async (d, segment) => {
  let action: (() => unknown) | undefined
  if (d.action !== undefined) {
    const { loadFunction } = await import('../process/locate.js')
    action = (await loadFunction(d.action as never)) as () => unknown
  }
  return reviveAt(d, segment, () => new Barrier(1, { action, timeout: d.timeout as number | undefined }))
})
