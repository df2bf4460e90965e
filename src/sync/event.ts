/**
 * Event: Python's `threading.Event` / `multiprocessing.Event`, one object for
 * tasks, threads and processes.
 *
 * How it works (docs/architecture.md, "Wait protocols: Event"). One word,
 * STATE = generation << 1 | flag, is both the state and the word waiters
 * sleep on; WAITERS counts sleepers, FLAGS holds SHARED. `set()` moves STATE
 * from (g, clear) to (g + 1, set) with one CAS and wakes everyone; `clear()`
 * drops the flag and keeps g (one atomic AND). A waiter reads STATE once: set
 * → true; else it sleeps on exactly that value, and any other value it reads
 * later can only come from a `set()` since (clear alone never moves a clear
 * word), so it returns true even if the event was cleared again meanwhile
 * (Python's semantics). The generation wraps after 2^31 sets: a waiter
 * asleep through exactly that many would miss them.
 */
import { claimSlot, describeStruct, reviveAt } from '../shm/arena.js'
import type { Segment } from '../shm/segment.js'
import { kDescribe, registerKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { nameFrom, revivedName, type NameOptions } from '../observe/names.js'
import { KIND, OP } from '../observe/layout.js'
import { WaitWord, deadlineOf } from './wait.js'
import { checkTimeout, signalFrom } from './options.js'

const STATE = 0
const WAITERS = 1
const FLAGS = 2
const WORDS = 3
const FLAG = 1

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
  /** What `skein top` and errors call this event. */
  readonly name: string

  constructor(opts?: NameOptions) {
    this.name = nameFrom(opts, 'Event', 'new Event()')
    const { segment, offset, keeper } = claimSlot(WORDS * 4)
    this.#keeper = keeper
    this.#segment = segment
    this.#i32 = segment.i32
    this.#base = offset >> 2
    this.#word = new WaitWord(segment, this.#base + STATE, this.#base + FLAGS, this.#base + WAITERS)
    this.#word.observed = { kind: KIND.Event, offset, name: this.name, op: OP.wait }
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return (Atomics.load(this.#i32, this.#base + STATE) & FLAG) !== 0
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    const i32 = this.#i32
    const at = this.#base + STATE
    for (;;) {
      const state = Atomics.load(i32, at)
      if ((state & FLAG) !== 0) return // already set: whoever set it woke the waiters of that moment
      if (Atomics.compareExchange(i32, at, state, (state + 2) | FLAG) === state) break
    }
    if (this.#word.waiting) this.#word.wake()
  }

  /** Clears the flag. */
  clear(): void {
    Atomics.and(this.#i32, this.#base + STATE, ~FLAG)
  }

  /** Waits until set, without blocking the event loop; false at the timeout. */
  async wait(timeout?: number, opts?: { signal?: AbortSignal }): Promise<boolean> {
    const deadline = deadlineOf(checkTimeout(timeout, 'Event.wait()')) // checked even when set: bad input is an error every time
    const signal = signalFrom(opts, 'Event.wait(timeout, options)')
    const seen = Atomics.load(this.#i32, this.#base + STATE)
    if ((seen & FLAG) !== 0) return true
    return this.#word.until((state) => state !== seen, deadline, signal)
  }

  /** Waits until set, blocking this thread; false at the timeout. */
  waitSync(timeout?: number): boolean {
    const deadline = deadlineOf(checkTimeout(timeout, 'Event.waitSync()')) // checked even when set: bad input is an error every time
    const seen = Atomics.load(this.#i32, this.#base + STATE)
    if ((seen & FLAG) !== 0) return true
    return this.#word.untilSync((state) => state !== seen, deadline)
  }

  [kDescribe](): HandleDescriptor {
    this.#word.markShared()
    return { kind: 'Event', name: this.name, ...describeStruct(this.#keeper, this.#segment, this.#base * 4) }
  }
}

registerKind('Event', (d, segment) => reviveAt(d, segment, () => new Event({ name: revivedName(d, 'Event') })))
