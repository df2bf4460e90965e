/**
 * The wait/notify core under every primitive.
 *
 * How it works. A primitive sleeps on a 32-bit *sequence word* in shared
 * memory: a waiter reads the word, re-checks its condition, then waits while
 * the word still holds what it read; a waker changes its state, bumps the
 * word, then wakes. Because the word only moves forward, "the word changed"
 * proves a wake-up was meant, so no wake can be lost (the protocol of Drepper,
 * "Futexes Are Tricky", with a sequence counter in place of the lock word).
 *
 * Each primitive owns one {@link WaitWord} over its sequence word:
 * - Blocking waits call the addon's `futexWait` (FUTEX_WAIT on the shared
 *   address: it reaches waiters in every process, which `Atomics.wait` does not).
 * - Async waiters queue in the WaitWord, FIFO, grouped by the value they
 *   read. While the object has never left its thread (no SHARED bit in its
 *   FLAGS word) a wake is a plain JS call that resolves at most as many local
 *   waiters as can proceed (1 for a lock release, n for `release(n)`): no
 *   system call, no native thread, no thundering herd. A lock or semaphore
 *   that never left its thread goes further: `handOff()` gives the released
 *   permit straight to the oldest waiting task (FIFO, like async-sema and
 *   asyncio), so no newcomer can barge in and no waiter wakes for nothing.
 *   Once shared, each group
 *   also holds one native wait (the addon's futex_waitv thread), whatever the
 *   number of local tasks in it, and wakers also issue FUTEX_WAKE.
 * - Timeouts and aborts of async waiters are JS timers and listeners; a
 *   group's native wait is cancelled when the group empties.
 * - Waking one sleeper (a lock release) loses nothing: whoever consumes a
 *   wake attempts before it may leave; a completion that arrives for a group
 *   that left meanwhile passes one wake on (`orphans`), and so does the
 *   native waiter for a cancelled wait that was still queued in the kernel.
 * The rules are written out in docs/architecture.md, "Wait protocols".
 * Every blocking sleep happens in {@link sleepOn} (through
 * {@link WaitWord.sleepSync}, or a Thread's joinSync), every async one in
 * {@link WaitWord.sleep}: the two places to observe what a thread waits on.
 */
import { native, type WaitResult } from '../native.js'
import type { Segment } from '../shm/segment.js'
import { abortReason } from '../errors.js'
import { AsyncWait, SyncWait, type Observed } from '../observe/waiting.js'

/** Bit of an object's FLAGS word: it has been handed to another thread or process. */
export const SHARED = 1

/** Async wait outcomes: woken (retry), timed out, or granted (the releaser handed over its permit). */
export const WOKEN = 0
export const TIMED_OUT = 1
export const GRANTED = 2
type AsyncResult = typeof WOKEN | typeof TIMED_OUT | typeof GRANTED

interface Waiter {
  resolve(result: AsyncResult): void
  reject(reason: unknown): void
  timer: NodeJS.Timeout | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  group: Group
}

interface Group {
  word: WaitWord
  expected: number
  waiters: Set<Waiter> // insertion order: FIFO
  nativeId: number // 0: no native wait armed
}

interface LightWaiter {
  resolve(value: boolean | Promise<boolean>): void
  retry(): Promise<boolean>
}

/** What a waiting loop tries after each read of the sequence word; it gets the value read (see {@link WaitWord.untilSync}). */
export type Attempt = (seq: number) => boolean

/** Options of the waiting loops. */
export interface UntilOptions {
  /** Shortens each sleep (a lock polls for a dead owner). */
  slice?: (deadline: number | null) => number | null
  /** Called when a sliced sleep ended without a wake; true means "acquired after all". */
  recover?: () => boolean
}

const byNativeId = new Map<number, Group>()
// Native waits cancelled after they had completed: their completion is on its
// way and may carry a wake that no waiter will see (see onNativeWake).
const orphans = new Map<number, WaitWord>()
let nextNativeId = 1
let callbackInstalled = false

/**
 * The sequence word of one primitive, with its FLAGS and WAITERS words, and
 * this thread's queue of async waiters on it.
 */
export class WaitWord {
  readonly segment: Segment
  readonly i32: Int32Array
  readonly seq: number
  readonly #flags: number
  readonly #waiters: number
  readonly #groups = new Map<number, Group>() // expected value → group
  // The light queue: plain waits (no timeout, no signal) on a never-shared
  // object, FIFO, resolved by handOff(). `#head` indexes the oldest.
  #light: Array<LightWaiter | undefined> = []
  #head = 0
  /** The registry's record of the light queue (one for the whole queue, while it is not empty). */
  #lightWait: AsyncWait | undefined
  /** What the registry shows a sleeper on this word as (set by the primitive that owns it; observe/waiting.ts). */
  observed: Observed | undefined

  /** Word indexes (Int32 units) of the sequence, FLAGS and WAITERS words. */
  constructor(segment: Segment, seq: number, flags: number, waiters: number) {
    this.segment = segment
    this.i32 = segment.i32
    this.seq = seq
    this.#flags = flags
    this.#waiters = waiters
  }

  /** Whether the object has been handed to another thread or process. */
  get shared(): boolean {
    return (Atomics.load(this.i32, this.#flags) & SHARED) !== 0
  }

  /** Whether tasks of this thread wait on the word (cheap: no atomic). */
  get hasLocal(): boolean {
    return this.#head < this.#light.length || this.#groups.size > 0
  }

  /** Whether anyone (any thread, any process) waits or is about to. */
  get waiting(): boolean {
    return Atomics.load(this.i32, this.#waiters) > 0
  }

  /**
   * Marks the object shared (it is being described for another thread or
   * process) and arms a native wait for every local group already waiting,
   * so wakes from elsewhere reach them.
   */
  markShared(): void {
    Atomics.or(this.i32, this.#flags, SHARED)
    // Several words may share one FLAGS word (a Condition's wake words), so
    // arm every group not armed yet rather than trusting the bit's old value.
    for (const group of this.#groups.values()) if (group.nativeId === 0) arm(group)
    // Light waiters can't hear wakes from elsewhere: send them back through the full path.
    const light = this.#light.slice(this.#head)
    this.#light = []
    this.#head = 0
    this.#endLightWait()
    for (const waiter of light) waiter!.resolve(waiter!.retry())
  }

  /**
   * Queues a plain wait (no timeout, no signal) on a never-shared object:
   * the cheapest slow path, a promise resolved by a later {@link handOff}.
   * `retry` re-runs the full acquire if the object gets shared meanwhile.
   */
  enqueue(retry: () => Promise<boolean>): Promise<boolean> {
    if (this.#lightWait === undefined && this.observed !== undefined) this.#lightWait = new AsyncWait(this.segment, this.observed, false, undefined)
    return new Promise((resolve) => {
      this.#light.push({ resolve, retry })
    })
  }

  /**
   * Bumps the sequence word and wakes up to `max` local waiters and, if
   * shared, up to `remote` sleepers elsewhere (default: all). Waking fewer
   * than all is sound for waiters that loop through {@link until} /
   * {@link untilSync}: whoever consumes a wake attempts before it may leave,
   * and a wake taken by a native wait whose tasks left is passed on. A
   * sleeper *killed* with the wake is covered only by a periodic re-check
   * (a lock's dead-owner poll), so wake fewer only where one exists.
   */
  notify(max = Infinity, remote = Infinity): void {
    Atomics.add(this.i32, this.seq, 1)
    this.wake(max, remote)
  }

  /** Wakes without bumping (for callers that moved the word themselves). */
  wake(max = Infinity, remote = Infinity): void {
    if (this.#groups.size > 0) this.#wakeLocal(max)
    if (this.shared) native.futexWake(this.segment.sab, this.seq * 4, remote === Infinity ? 0 : remote)
  }

  /**
   * Gives a released permit directly to the oldest local async waiter, if
   * the object never left this thread and someone waits; returns whether it
   * did (then the caller must not free the permit itself).
   */
  handOff(): boolean {
    if (this.#head < this.#light.length) {
      const waiter = this.#light[this.#head]!
      this.#light[this.#head++] = undefined
      if (this.#head === this.#light.length) {
        this.#light.length = 0
        this.#head = 0
        this.#endLightWait()
      } else if (this.#head > 1024 && this.#head * 2 > this.#light.length) {
        this.#light = this.#light.slice(this.#head)
        this.#head = 0
      }
      waiter.resolve(true)
      return true
    }
    if (this.#groups.size === 0 || this.shared) return false
    for (const group of this.#groups.values()) {
      for (const waiter of group.waiters) {
        group.waiters.delete(waiter)
        if (group.waiters.size === 0) this.dropGroup(group)
        cleanup(waiter)
        waiter.resolve(GRANTED)
        return true
      }
    }
    return false
  }

  /** Blocks this thread while the word equals `expected`, until woken or `deadline`. */
  sleepSync(expected: number, deadline: number | null): WaitResult {
    return sleepOn(this.segment.sab, this.seq, expected, deadline)
  }

  /** Resolves WOKEN once the word may have moved from `expected`, TIMED_OUT at `deadline`; rejects on abort. */
  sleep(expected: number, deadline: number | null, signal: AbortSignal | undefined): Promise<AsyncResult> {
    if (Atomics.load(this.i32, this.seq) !== expected) return Promise.resolve(WOKEN)
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    return new Promise((resolve, reject) => {
      let group = this.#groups.get(expected)
      if (group === undefined) {
        group = { word: this, expected, waiters: new Set(), nativeId: 0 }
        this.#groups.set(expected, group)
        if (this.shared) arm(group)
      }
      const waiter: Waiter = { resolve, reject, timer: undefined, signal, onAbort: undefined, group }
      group.waiters.add(waiter)
      if (deadline !== null) {
        waiter.timer = setTimeout(() => {
          leave(waiter)
          resolve(TIMED_OUT)
        }, Math.max(0, deadline - performance.now()))
      }
      if (signal !== undefined) {
        waiter.onAbort = () => {
          leave(waiter)
          reject(abortReason(signal))
        }
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
    })
  }

  /**
   * The blocking loop every primitive shares: count this thread in WAITERS,
   * then until `attempt()` succeeds or `deadline` passes, read the sequence
   * word, retry, and sleep while the word stays put.
   */
  untilSync(attempt: Attempt, deadline: number | null, opts: UntilOptions = {}): boolean {
    const i32 = this.i32
    Atomics.add(i32, this.#waiters, 1)
    let published: SyncWait | undefined // the registry's record, made at the first real sleep
    try {
      for (;;) {
        const seq = Atomics.load(i32, this.seq)
        if (attempt(seq)) return true
        if (deadline !== null && performance.now() >= deadline) return false
        let sliced = opts.slice === undefined ? deadline : opts.slice(deadline)
        if (this.observed !== undefined) {
          published ??= new SyncWait(this.segment, this.observed)
          sliced = published.clamp(sliced)
        }
        if (this.sleepSync(seq, sliced) === 1 && sliced !== deadline) {
          if (opts.recover?.()) return true
          published?.afterSleep() // a due deadlock check; throws DeadlockError under 'throw'
        }
      }
    } finally {
      Atomics.sub(i32, this.#waiters, 1)
      published?.end()
    }
  }

  /** The async form of {@link untilSync}. */
  async until(attempt: Attempt, deadline: number | null, signal: AbortSignal | undefined, opts: UntilOptions = {}): Promise<boolean> {
    if (signal?.aborted) throw abortReason(signal)
    const i32 = this.i32
    Atomics.add(i32, this.#waiters, 1)
    let published: AsyncWait | undefined // the registry's record, made at the first real sleep
    try {
      for (;;) {
        const seq = Atomics.load(i32, this.seq)
        if (attempt(seq)) return true
        if (deadline !== null && performance.now() >= deadline) return false
        const sliced = opts.slice === undefined || !this.shared ? deadline : opts.slice(deadline)
        if (this.observed !== undefined && published === undefined) {
          published = new AsyncWait(this.segment, this.observed, true, signal)
          signal = published.signal // also aborted by a deadlock this wait closes, under 'throw'
        }
        const result = await this.sleep(seq, sliced, signal)
        if (result === GRANTED || (result === TIMED_OUT && sliced !== deadline && opts.recover?.())) return true
      }
    } finally {
      Atomics.sub(i32, this.#waiters, 1)
      published?.end()
    }
  }

  #endLightWait(): void {
    this.#lightWait?.end()
    this.#lightWait = undefined
  }

  /** Resolves up to `max` local waiters, oldest group and waiter first. */
  #wakeLocal(max: number): void {
    let left = max
    for (const group of this.#groups.values()) {
      for (const waiter of group.waiters) {
        if (left-- <= 0) return
        group.waiters.delete(waiter)
        cleanup(waiter)
        waiter.resolve(WOKEN)
      }
      this.dropGroup(group)
    }
  }

  /** @internal Forgets a group (empty or settled) and its native wait. */
  dropGroup(group: Group): void {
    if (this.#groups.get(group.expected) === group) this.#groups.delete(group.expected)
    if (group.nativeId !== 0) {
      byNativeId.delete(group.nativeId)
      if (!native.cancelWait(group.nativeId)) orphans.set(group.nativeId, this)
      group.nativeId = 0
    }
  }
}

function arm(group: Group): void {
  if (!callbackInstalled) {
    native.setWakeCallback(onNativeWake)
    callbackInstalled = true
  }
  group.nativeId = nextNativeId++
  byNativeId.set(group.nativeId, group)
  native.waitAsync(group.word.segment.sab, group.word.seq * 4, group.expected, -1, group.nativeId)
}

/** The native waiter saw a group's word move: every waiter of that group retries. */
function onNativeWake(flat: number[]): void {
  for (let i = 0; i < flat.length; i += 2) {
    const group = byNativeId.get(flat[i])
    if (group === undefined) {
      // The group left (its waiters timed out or were aborted, or were woken
      // here) after its native wait completed. That completion may stand for
      // a FUTEX_WAKE of one waiter that nobody here will act on: pass it on.
      const word = orphans.get(flat[i])
      if (word !== undefined) {
        orphans.delete(flat[i])
        native.futexWake(word.segment.sab, word.seq * 4, 1)
      }
      continue
    }
    byNativeId.delete(group.nativeId)
    group.nativeId = 0
    group.word.dropGroup(group)
    for (const waiter of group.waiters) {
      cleanup(waiter)
      waiter.resolve(WOKEN)
    }
    group.waiters.clear()
  }
}

/** A waiter gives up (timeout or abort); an empty group drops its native wait. */
function leave(waiter: Waiter): void {
  cleanup(waiter)
  const group = waiter.group
  group.waiters.delete(waiter)
  if (group.waiters.size === 0) group.word.dropGroup(group)
}

function cleanup(waiter: Waiter): void {
  if (waiter.timer !== undefined) clearTimeout(waiter.timer)
  if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort)
}

/**
 * The one place a thread of skein blocks on a word: FUTEX_WAIT (shared, so
 * wakes from any process reach it) on Int32 word `index` of `sab` while it
 * holds `expected`, until woken or `deadline` (`performance.now()` time; null:
 * none). {@link WaitWord.sleepSync} and a Thread's `joinSync` sleep here; the
 * async waits sleep in {@link WaitWord.sleep}.
 */
export function sleepOn(sab: SharedArrayBuffer, index: number, expected: number, deadline: number | null): WaitResult {
  const timeout = deadline === null ? -1 : Math.max(0, deadline - performance.now())
  return native.futexWait(sab, index * 4, expected, timeout)
}

/** Converts a timeout (ms; undefined, null or Infinity: none) to a deadline. */
export function deadlineOf(timeout: number | undefined | null): number | null {
  return timeout === undefined || timeout === null || timeout === Infinity ? null : performance.now() + timeout
}
