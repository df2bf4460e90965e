/**
 * Deadlocks named as they happen, in real programs (test/fixtures/deadlock-program.ts):
 * the 'warn' and 'off' policies (deadlock-throw.test.ts has 'throw', in a
 * file of its own so that each stays inside the runner's bound under load):
 * an RLock cycle between threads, a semaphore whose permit is held outside
 * the cycle (no deadlock), and `snapshot()` seeing the cycle from outside.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { snapshot, setDeadlockPolicy, deadlockPolicy, DeadlockError } from '../../src/index.js'
import { eventually, runProgram, runScenario as run } from '../helpers/program.js'

const PROGRAM = 'test/fixtures/deadlock-program.ts'


describe('policy warn (the default): the closer prints the cycle once', () => {
  test('RLock cycle between two threads: names and code lines of both sides, then a timeout breaks it', async () => {
    const { out, err, code } = await run('threads', '', 4000)
    assert.equal(code, 0, err.join('\n'))
    const at = err.findIndex((l) => l.includes('skein: warning: deadlock: 2 threads wait for each other'))
    assert.ok(at >= 0, err.join('\n'))
    assert.equal(err.filter((l) => l.includes('skein: warning: deadlock')).length, 1, 'printed once')
    const cycle = err.slice(at + 1, at + 3).join('\n')
    assert.match(cycle, /holds RLock "left", waits for RLock "right" \(sync acquire .*deadlock-program\.ts:\d+\)/)
    assert.match(cycle, /holds RLock "right", waits for RLock "left" \(sync acquire .*deadlock-program\.ts:\d+\)/)
    assert.match(cycle, /"Side-B"/)
    // The side's timeout broke the cycle: it gave up, then main got its lock.
    assert.ok(out.includes('side got false') && out.includes('main got true'), out.join('\n'))
  })

  test('not a deadlock when a permit is held outside the cycle by a thread that can move', async () => {
    const { out, err, code } = await run('semaphore-free', 'warn', 3000)
    assert.equal(code, 0, err.join('\n'))
    assert.ok(!err.some((l) => l.includes('deadlock')), err.join('\n'))
    assert.ok(out.includes('main got true'), out.join('\n'))
  })
})

describe('policy off: nothing happens in the program, skein top still names it', () => {
  test('snapshot() from another process sees the cycle, its members, holds and waits', async () => {
    const p = runProgram(PROGRAM, ['processes', '60000'], { SKEIN_DEADLOCKS: 'off' })
    try {
      const pid = Number((await p.line(/^pid \d+/)).split(' ')[1])
      await p.line(/^waiting/)
      // Found, with both waiters' code lines (a blocking waiter records its line once it has slept 100 ms).
      const deadlock = await eventually('a deadlock in the snapshot', () => {
        const d = snapshot({ pid }).deadlocks[0]
        return d?.cycle.every((m) => m.waitsFor.line !== undefined) === true ? d : undefined
      })
      assert.equal(deadlock.cycle.length, 2)
      const byLock = new Map(deadlock.cycle.map((m) => [m.waitsFor.name, m]))
      const main = byLock.get('stock')!
      const side = byLock.get('orders')!
      assert.equal(main.pid, pid)
      assert.equal(main.name, 'MainProcess')
      assert.deepEqual(main.holds, [{ kind: 'Lock', name: 'orders' }])
      assert.equal(main.waitsFor.form, 'async')
      assert.notEqual(side.pid, pid)
      assert.equal(side.name, 'Side-B')
      assert.deepEqual(side.holds, [{ kind: 'Lock', name: 'stock' }])
      assert.equal(side.waitsFor.form, 'sync')
      assert.match(side.waitsFor.line ?? '', /deadlock-program\.ts:\d+/)
      assert.equal(deadlock.certain, false) // an async wait is in it
      assert.ok(!p.err.some((l) => l.includes('deadlock')), 'off prints nothing')
    } finally {
      p.kill()
    }
  })
})

test('setDeadlockPolicy: checks its argument; deadlockPolicy() reads it back', () => {
  const before = deadlockPolicy()
  try {
    setDeadlockPolicy('throw')
    assert.equal(deadlockPolicy(), 'throw')
    assert.throws(() => setDeadlockPolicy('loud' as never), /policy must be 'warn', 'throw' or 'off'/)
    assert.equal(new DeadlockError('x', []).code, 'ERR_SKEIN_DEADLOCK')
  } finally {
    setDeadlockPolicy(before)
  }
})
