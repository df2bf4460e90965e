// The stress suite's result board: one shared RawArray in which every role
// (a process, a thread or a task) records its progress and, if it fails,
// where. The runner reads it after the run, so a role that failed says what
// it was waiting for even if its process died or was killed as hung.
import { RawArray } from '../../src/index.js'

/** Board words per role. */
const WORDS = 4
const STATUS = 0
const ITERATION = 1
const POINT = 2
const KIND = 3

export const RUNNING = 0
export const DONE = 1
export const FAILED = 2

/** Why a role failed. */
export const TIMED_OUT = 1 // a wait returned at its timeout: a lost wake-up, or a peer that stopped
export const CONTRACT = 2 // the primitive broke its contract (a count, an order, an index)
export const ERROR = 3 // something threw (a BrokenBarrierError, a QueueEmptyError…)

export type Board = RawArray<'i'>

// Word 0 is the gate: roles start when it is 1 (levels.ts opens it once every role runs).
const GATE = 0
const FIRST = 1

export function newBoard(roles: number): Board {
  return new RawArray('i', FIRST + roles * WORDS)
}

/** Lets every role of the board start. */
export function open(board: Board): void {
  Atomics.store(board.array, GATE, 1)
}

/** How long a role waits at the gate before it gives up (its peers never started). */
const GATE_MS = 120_000

/** A role's failure: where (a wait point of its scenario) and why. */
export class StressFailure extends Error {
  constructor(readonly iteration: number, readonly point: number, readonly kind: number, detail: string) {
    super(detail)
  }
}

/** The view of one role on the board. */
export class RoleBoard {
  readonly #i32: Int32Array
  readonly #at: number
  #iteration = 0

  constructor(board: Board, role: number) {
    this.#i32 = board.array
    this.#at = FIRST + role * WORDS
  }

  /** Marks iteration `i` reached (a plain atomic store: cheap enough per hand-off). */
  step(i: number): void {
    this.#iteration = i
    Atomics.store(this.#i32, this.#at + ITERATION, i)
  }

  /** Fails unless `ok`: `point` names the wait (an index into the scenario's points). */
  must(ok: boolean, point: number, kind = TIMED_OUT, detail = ''): void {
    if (!ok) throw new StressFailure(this.#iteration, point, kind, detail)
  }

  /** Runs the role's body, recording DONE, or FAILED with where and why. */
  async run(body: () => Promise<void> | void): Promise<void> {
    try {
      // Polled, not waited on: the gate must not depend on the primitives under test.
      const until = performance.now() + GATE_MS
      while (Atomics.load(this.#i32, GATE) === 0) {
        if (performance.now() > until) throw new Error('the run never started (the gate stayed closed)')
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
      await body()
      Atomics.store(this.#i32, this.#at + STATUS, DONE)
    } catch (error) {
      const f = error instanceof StressFailure ? error : new StressFailure(this.#iteration, -1, ERROR, String((error as Error)?.stack ?? error))
      Atomics.store(this.#i32, this.#at + POINT, f.point)
      Atomics.store(this.#i32, this.#at + KIND, f.kind)
      Atomics.store(this.#i32, this.#at + ITERATION, f.iteration)
      Atomics.store(this.#i32, this.#at + STATUS, FAILED)
      if (f.kind === ERROR) console.error(`stress role failed at iteration ${f.iteration}:`, f.message)
    }
  }
}

export interface RoleResult {
  status: number
  iteration: number
  point: number
  kind: number
}

export function readRole(board: Board, role: number): RoleResult {
  const a = board.array
  const at = FIRST + role * WORDS
  return { status: Atomics.load(a, at + STATUS), iteration: Atomics.load(a, at + ITERATION), point: Atomics.load(a, at + POINT), kind: Atomics.load(a, at + KIND) }
}
