// The adaptive spin before a queue waiter sleeps (src/queue/spin.ts): a
// wait that ended just after a failed spin lengthens the next spin; a long
// one skips the next spins, more each time; a spin that sees its item keeps
// spinning.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CHECKS, Spinner } from '../../src/queue/spin.js'

/**
 * A clock of the test's own: a spin's checks advance it by 1 µs each, and
 * the "sleeps" between spins are set by hand, so that what is near and what
 * is long never depends on how loaded the machine is.
 */
class Clock {
  t = 1000
  readonly now = (): number => this.t
  sleep(ms: number): void {
    this.t += ms
  }
}

/** How long one failed spin watched (ms, by the clock), counting the calls of `ready`. */
function failedSpin(spinner: Spinner, clock: Clock): { spun: boolean; calls: number; ms: number } {
  let calls = 0
  const t = clock.t
  const spun = spinner.spin(() => {
    calls++
    clock.t += 0.001
    return false
  })
  return { spun, calls, ms: clock.t - t }
}

test('a spin that sees the item returns true, and waited() passes any outcome through', () => {
  const spinner = new Spinner()
  let n = 0
  assert.equal(spinner.spin(() => ++n === 3), true)
  assert.equal(spinner.waited(false), false)
  assert.equal(spinner.waited('x'), 'x')
})

test('after a long sleep the next spins are skipped, twice as many each time', () => {
  const clock = new Clock()
  const spinner = new Spinner(clock.now)
  assert.equal(failedSpin(spinner, clock).calls > 0, true)
  clock.sleep(5) // the peer was idle: a long wait
  spinner.waited(true)
  assert.equal(failedSpin(spinner, clock).calls, 0, 'skipped once')
  assert.equal(failedSpin(spinner, clock).calls > 0, true, 'then spins again')
  clock.sleep(5)
  spinner.waited(true)
  assert.equal(failedSpin(spinner, clock).calls, 0)
  assert.equal(failedSpin(spinner, clock).calls, 0, 'skipped twice after the second long wait')
  assert.equal(failedSpin(spinner, clock).calls > 0, true)
})

test('after a near miss the spin is not skipped and watches longer, up to its bound; a long wait starts it over', () => {
  const clock = new Clock()
  const spinner = new Spinner(clock.now)
  const spins: number[] = []
  for (let i = 0; i < 5; i++) {
    const spin = failedSpin(spinner, clock)
    assert.equal(spin.calls > 0, true, 'not skipped')
    spins.push(spin.ms)
    clock.sleep(0.1) // the item came just after the spin gave up
    spinner.waited(true)
  }
  // Each spin watches its limit (to the next CHECKS looks, 0.001 ms each here): 0.04 ms, then 0.08, 0.16, and 0.25 at most.
  const limits = [0.04, 0.08, 0.16, 0.25, 0.25]
  spins.forEach((ms, i) => assert.ok(ms >= limits[i]! && ms < limits[i]! + CHECKS * 0.001 + 0.001, `spin ${i} watched ${ms} ms (limit ${limits[i]})`))
  const last = failedSpin(spinner, clock)
  clock.sleep(0.5) // more than a near miss
  spinner.waited(true)
  assert.ok(last.ms >= 0.25, 'the spin before the long wait still watched its full length')
  assert.equal(failedSpin(spinner, clock).calls, 0, 'skipped after the long wait')
  const again = failedSpin(spinner, clock)
  assert.ok(again.ms >= 0.04 && again.ms < 0.04 + CHECKS * 0.001 + 0.001, `then back to the first length (${again.ms} ms)`)
})

test('a spin that hits forgets the long waits before it', () => {
  const clock = new Clock()
  const spinner = new Spinner(clock.now)
  failedSpin(spinner, clock)
  clock.sleep(5)
  spinner.waited(true)
  assert.equal(failedSpin(spinner, clock).calls, 0)
  assert.equal(spinner.spin(() => true), true)
  failedSpin(spinner, clock)
  clock.sleep(5)
  spinner.waited(true)
  assert.equal(failedSpin(spinner, clock).calls, 0, 'skipped once, as after a first long wait')
  assert.equal(failedSpin(spinner, clock).calls > 0, true)
})
