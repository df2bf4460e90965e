/**
 * Event: Python's `threading.Event` / `multiprocessing.Event`, one object for
 * tasks, threads and processes.
 *
 * How it works. Four words: FLAG, GEN (bumped by every `set()`; waiters sleep
 * on it), WAITERS, FLAGS (SHARED). A waiter that sees GEN move knows a
 * `set()` happened during its wait, so it returns true even if the event was
 * cleared again before it ran (Python's semantics).
 */
import { claimSlot, describeStruct, reviveAt } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, registerKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { WaitWord } from './wait.js'
import { checkTimeout } from './options.js'
import { deadlineOf } from './wait.js'

const FLAG = 0
const GEN = 1
const WAITERS = 2
const FLAGS = 3
const WORDS = 4

/**
 * A flag that tasks, threads and processes can wait for.
 *
 * @example
 * import { Event } from 'skein'
 * const green = new Event()
 * setTimeout(() => green.set(), 10)
 * console.log(await green.wait())   // true
 *
 * Semantics: `set()` wakes every waiter; `wait(timeout)` returns true once
 * set (at once if it already is), false at the timeout.
 */
export class Event implements Shareable {
  readonly #segment: Segment
  readonly #keeper: object // frees the struct when collected with this handle (arena.ts)
  readonly #i32: Int32Array
  readonly #base: number
  readonly #word: WaitWord

  constructor() {
    const { segment, offset, keeper } = claimSlot(WORDS * 4)
    this.#keeper = keeper
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#word = new WaitWord(segment, this.#base + GEN, this.#base + FLAGS, this.#base + WAITERS)
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return Atomics.load(this.#i32, this.#base + FLAG) === 1
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    const i32 = this.#i32
    Atomics.store(i32, this.#base + FLAG, 1)
    Atomics.add(i32, this.#base + GEN, 1)
    if (this.#word.waiting) this.#word.wake()
  }

  /** Clears the flag. */
  clear(): void {
    Atomics.store(this.#i32, this.#base + FLAG, 0)
  }

  /** Waits until set, without blocking the event loop; false at the timeout. */
  async wait(timeout?: number, opts?: { signal?: AbortSignal }): Promise<boolean> {
    if (this.isSet()) return true
    const deadline = deadlineOf(checkTimeout(timeout, 'Event.wait()'))
    return this.#word.until(this.#setSince(), deadline, opts?.signal)
  }

  /** Waits until set, blocking this thread; false at the timeout. */
  waitSync(timeout?: number): boolean {
    if (this.isSet()) return true
    const deadline = deadlineOf(checkTimeout(timeout, 'Event.waitSync()'))
    return this.#word.untilSync(this.#setSince(), deadline)
  }

  [kDescribe](): HandleDescriptor {
    this.#word.markShared()
    return { kind: 'Event', ...describeStruct(this.#keeper, this.#segment, this.#base * 4) }
  }

  /** A test that is true once the flag is set or any set() happened since now. */
  #setSince(): () => boolean {
    const gen = Atomics.load(this.#i32, this.#base + GEN)
    return () => this.isSet() || Atomics.load(this.#i32, this.#base + GEN) !== gen
  }
}

registerKind('Event', (d, segment) => reviveAt(d, segment, () => new Event()))
