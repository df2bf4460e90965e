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
 * - Blocking waits call the addon's `futexWait` (FUTEX_WAIT on the shared
 *   address: it reaches waiters in every process, which `Atomics.wait` does not).
 * - Async waits are grouped per (segment, word, expected value) in this
 *   thread. While an object has never left this thread (its FLAGS word has no
 *   SHARED bit) a wake is a plain JS call that resolves the local group: no
 *   system call, no native thread. Once shared, each group also holds one
 *   native wait (the addon's futex_waitv thread), whatever the number of
 *   local tasks waiting on it, and wakers also issue FUTEX_WAKE.
 * - Timeouts and aborts of async waiters are JS timers and listeners; the
 *   native wait is cancelled when its group empties.
 */
import { native, type WaitResult } from '../native.js'
import type { Segment } from '../shm/segment.js'
import { abortReason } from '../errors.js'

/** Bit of an object's FLAGS word: it has been handed to another thread or process. */
export const SHARED = 1

export const WOKEN = 0
export const TIMED_OUT = 1

interface Waiter {
  resolve(result: typeof WOKEN | typeof TIMED_OUT): void
  reject(reason: unknown): void
  timer: NodeJS.Timeout | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  group: Group
}

interface Group {
  key: string
  segment: Segment
  index: number
  expected: number
  waiters: Set<Waiter>
  nativeId: number // 0: no native wait armed
}

const groups = new Map<string, Group>()          // key: token:index:expected
const byWord = new Map<string, Set<Group>>()      // key: token:index
const byNativeId = new Map<number, Group>()
let nextNativeId = 1
let callbackInstalled = false

/** Whether the object whose FLAGS word is `flagsIndex` has been shared. */
export function isShared(segment: Segment, flagsIndex: number): boolean {
  return (Atomics.load(segment.i32, flagsIndex) & SHARED) !== 0
}

/**
 * Marks an object as shared (called when it is described for another thread
 * or process) and arms a native wait for every local group already waiting on
 * its words `[first, end)`, so wakes from elsewhere reach them.
 */
export function markShared(segment: Segment, flagsIndex: number, first: number, end: number): void {
  if (Atomics.or(segment.i32, flagsIndex, SHARED) & SHARED) return
  for (const group of groups.values()) {
    if (group.segment === segment && group.index >= first && group.index < end) arm(group)
  }
}

/**
 * Blocks this thread while word `index` equals `expected`, until woken or
 * `deadline` (a `performance.now()` time; null: none).
 */
export function waitSync(segment: Segment, index: number, expected: number, deadline: number | null): WaitResult {
  const timeout = deadline === null ? -1 : Math.max(0, deadline - performance.now())
  return native.futexWait(segment.sab, index * 4, expected, timeout)
}

/**
 * Resolves with WOKEN once word `index` may have moved from `expected`, or
 * TIMED_OUT at `deadline`; rejects with the signal's reason on abort.
 * `shared` says whether wakes may come from other threads or processes.
 */
export function waitAsync(
  segment: Segment,
  index: number,
  expected: number,
  deadline: number | null,
  signal: AbortSignal | undefined,
  shared: boolean,
): Promise<typeof WOKEN | typeof TIMED_OUT> {
  if (Atomics.load(segment.i32, index) !== expected) return Promise.resolve(WOKEN)
  if (signal?.aborted) return Promise.reject(abortReason(signal))
  return new Promise((resolve, reject) => {
    const group = groupFor(segment, index, expected)
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
    if (shared && group.nativeId === 0) arm(group)
  })
}

/**
 * Wakes every waiter on word `index`: local async waiters directly, and —
 * when the object is shared — sleepers in other threads and processes.
 * Call after bumping the word.
 */
export function wakeAll(segment: Segment, index: number, shared: boolean): void {
  const set = byWord.get(wordKey(segment, index))
  if (set !== undefined) {
    for (const group of [...set]) settle(group)
  }
  if (shared) native.futexWake(segment.sab, index * 4, 0)
}

function wordKey(segment: Segment, index: number): string {
  return `${segment.token}:${index}`
}

function groupFor(segment: Segment, index: number, expected: number): Group {
  const key = `${segment.token}:${index}:${expected}`
  let group = groups.get(key)
  if (group === undefined) {
    group = { key, segment, index, expected, waiters: new Set(), nativeId: 0 }
    groups.set(key, group)
    const wk = wordKey(segment, index)
    let set = byWord.get(wk)
    if (set === undefined) byWord.set(wk, (set = new Set()))
    set.add(group)
  }
  return group
}

function arm(group: Group): void {
  if (!callbackInstalled) {
    native.setWakeCallback(onNativeWake)
    callbackInstalled = true
  }
  group.nativeId = nextNativeId++
  byNativeId.set(group.nativeId, group)
  native.waitAsync(group.segment.sab, group.index * 4, group.expected, -1, group.nativeId)
}

function onNativeWake(flat: number[]): void {
  for (let i = 0; i < flat.length; i += 2) {
    const group = byNativeId.get(flat[i])
    if (group !== undefined) {
      byNativeId.delete(group.nativeId)
      group.nativeId = 0
      settle(group)
    }
  }
}

/** Removes a group and resolves all its waiters as woken. */
function settle(group: Group): void {
  drop(group)
  for (const waiter of group.waiters) {
    cleanup(waiter)
    waiter.resolve(WOKEN)
  }
  group.waiters.clear()
}

function drop(group: Group): void {
  if (groups.get(group.key) === group) groups.delete(group.key)
  const wk = wordKey(group.segment, group.index)
  const set = byWord.get(wk)
  if (set !== undefined) {
    set.delete(group)
    if (set.size === 0) byWord.delete(wk)
  }
  if (group.nativeId !== 0) {
    byNativeId.delete(group.nativeId)
    native.cancelWait(group.nativeId)
    group.nativeId = 0
  }
}

/** A waiter gives up (timeout or abort); an empty group drops its native wait. */
function leave(waiter: Waiter): void {
  cleanup(waiter)
  const group = waiter.group
  group.waiters.delete(waiter)
  if (group.waiters.size === 0) drop(group)
}

function cleanup(waiter: Waiter): void {
  if (waiter.timer !== undefined) clearTimeout(waiter.timer)
  if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort)
}

/** Converts `{ timeout }` (ms; undefined or negative-less) to a deadline. */
export function deadlineOf(timeout: number | undefined | null): number | null {
  return timeout === undefined || timeout === null || timeout === Infinity ? null : performance.now() + timeout
}

/**
 * The blocking loop every primitive shares: count this thread in the
 * struct's WAITERS word, then until `attempt()` succeeds or `deadline`
 * passes, read the sequence word, retry, and sleep while the word stays put.
 * `slice` may shorten each sleep (a lock polls for a dead owner).
 */
export function waitUntilSync(
  segment: Segment,
  waitersIndex: number,
  seqIndex: number,
  attempt: () => boolean,
  deadline: number | null,
  slice: (deadline: number | null) => number | null = identity,
): boolean {
  const i32 = segment.i32
  Atomics.add(i32, waitersIndex, 1)
  try {
    for (;;) {
      const seq = Atomics.load(i32, seqIndex)
      if (attempt()) return true
      if (deadline !== null && performance.now() >= deadline) return false
      waitSync(segment, seqIndex, seq, slice(deadline))
    }
  } finally {
    Atomics.sub(i32, waitersIndex, 1)
  }
}

/** The async form of {@link waitUntilSync}; `shared()` tells whether wakes may come from elsewhere. */
export async function waitUntil(
  segment: Segment,
  waitersIndex: number,
  seqIndex: number,
  attempt: () => boolean,
  deadline: number | null,
  signal: AbortSignal | undefined,
  shared: () => boolean,
  slice: (deadline: number | null) => number | null = identity,
): Promise<boolean> {
  if (signal?.aborted) throw abortReason(signal)
  const i32 = segment.i32
  Atomics.add(i32, waitersIndex, 1)
  try {
    for (;;) {
      const seq = Atomics.load(i32, seqIndex)
      if (attempt()) return true
      if (deadline !== null && performance.now() >= deadline) return false
      const isShared = shared()
      await waitAsync(segment, seqIndex, seq, isShared ? slice(deadline) : deadline, signal, isShared)
    }
  } finally {
    Atomics.sub(i32, waitersIndex, 1)
  }
}

function identity(deadline: number | null): number | null {
  return deadline
}
