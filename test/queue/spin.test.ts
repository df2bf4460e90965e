// The adaptive spin before a queue waiter sleeps (src/queue/spin.ts): a
// wait that ended just after a failed spin lengthens the next spin; a long
// one skips the next spins, more each time; a spin that sees its item keeps
// spinning.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Spinner } from '../../src/queue/spin.js'

/** Blocks this thread for `ms` (a sleep the spinner measures). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** How long one failed spin watched (ms), counting the calls of `ready`. */
function failedSpin(spinner: Spinner): { spun: boolean; calls: number; ms: number } {
  let calls = 0
  const t = performance.now()
  const spun = spinner.spin(() => (calls++, false))
  return { spun, calls, ms: performance.now() - t }
}

test('a spin that sees the item returns true, and waited() passes any outcome through', () => {
  const spinner = new Spinner()
  let n = 0
  assert.equal(spinner.spin(() => ++n === 3), true)
  assert.equal(spinner.waited(false), false)
  assert.equal(spinner.waited('x'), 'x')
})

test('after a long sleep the next spins are skipped, twice as many each time', () => {
  const spinner = new Spinner()
  assert.equal(failedSpin(spinner).calls > 0, true)
  sleepSync(5) // the peer was idle: a long wait
  spinner.waited(true)
  assert.equal(failedSpin(spinner).calls, 0, 'skipped once')
  assert.equal(failedSpin(spinner).calls > 0, true, 'then spins again')
  sleepSync(5)
  spinner.waited(true)
  assert.equal(failedSpin(spinner).calls, 0)
  assert.equal(failedSpin(spinner).calls, 0, 'skipped twice after the second long wait')
  assert.equal(failedSpin(spinner).calls > 0, true)
})

test('after a near miss the spin is not skipped and watches longer', () => {
  const spinner = new Spinner()
  const first = failedSpin(spinner)
  spinner.waited(true) // the item came at once after the spin gave up
  const second = failedSpin(spinner)
  assert.equal(second.calls > 0, true, 'not skipped')
  spinner.waited(true)
  const third = failedSpin(spinner)
  // Each spin is at least as long as its limit: 0.04 ms, then 0.08, then 0.16.
  assert.equal(first.ms >= 0.04 && second.ms >= 0.08 && third.ms >= 0.16, true, `${first.ms} ${second.ms} ${third.ms}`)
})

test('a spin that hits forgets the long waits before it', () => {
  const spinner = new Spinner()
  failedSpin(spinner)
  sleepSync(5)
  spinner.waited(true)
  assert.equal(failedSpin(spinner).calls, 0)
  assert.equal(spinner.spin(() => true), true)
  failedSpin(spinner)
  sleepSync(5)
  spinner.waited(true)
  assert.equal(failedSpin(spinner).calls, 0, 'skipped once, as after a first long wait')
  assert.equal(failedSpin(spinner).calls > 0, true)
})
