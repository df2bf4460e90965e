/**
 * Child-process and thread targets for the benchmarks. A child imports this
 * module to find its target, so it has no top-level code and only type
 * imports: loading it costs the child nothing.
 */
import type { Condition, Event, Lock, RawArray, RawValue } from '../src/index.js'

/** The shared clock (CLOCK_MONOTONIC, ns) as a double: exact below 2^53. */
function monoNs(): number {
  return Number(process.hrtime.bigint())
}

/** Does nothing: the process start+join bench. */
export function noop(): void {}

/**
 * Contended lock: says it is ready, waits for the start event, then does `n`
 * acquire / increment / release and records its end time in `ends[slot]`.
 */
export function lockWorker(lock: Lock, counter: RawValue<'i'>, ready: RawValue<'i'>, start: Event, ends: RawArray<'d'>, slot: number, n: number): void {
  Atomics.add(ready.array, 0, 1)
  start.waitSync()
  for (let i = 0; i < n; i++) {
    lock.acquireSync()
    counter.value += 1
    lock.release()
  }
  ends.set(slot, monoNs())
}

/**
 * Condition hand-off, child side: `n` times, under the lock, wait for its
 * turn (turn[0] === 1), pass it back and notify. Says it is ready first.
 */
export function conditionTurnWorker(cond: Condition, turn: RawArray<'i'>, ready: RawValue<'i'>, n: number): void {
  const t = turn.array
  Atomics.add(ready.array, 0, 1)
  for (let i = 0; i < n; i++) {
    cond.acquireSync()
    while (t[0] !== 1) cond.waitSync()
    t[0] = 0
    cond.notify()
    cond.release()
  }
}

/** Event ping-pong, child side: `n` times wait ping, clear it, set pong. */
export function pongWorker(ping: Event, pong: Event, n: number): void {
  for (let i = 0; i < n; i++) {
    ping.waitSync()
    ping.clear()
    pong.set()
  }
}

/**
 * CPU-bound loop for the thread bench: waits for the gate, then runs `n`
 * iterations of an LCG and stores the result in `out[slot]` (so the loop
 * cannot be dropped). Python runs the same loop.
 */
export function spin(n: number, out: Int32Array, slot: number, gate: Int32Array): void {
  Atomics.wait(gate, 0, 0)
  let x = 0
  for (let i = 0; i < n; i++) x = (x * 31 + i) % 1000003
  Atomics.store(out, slot, x)
}
