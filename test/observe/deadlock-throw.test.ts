/**
 * Deadlocks named as they happen, under the 'throw' policy: the wait that
 * closes the cycle fails with a DeadlockError carrying it — across
 * processes (a Lock), with a semaphore whose every permit is held in the
 * cycle, and a thread joining itself through a chain (real programs:
 * test/fixtures/deadlock-program.ts).
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { runScenario as run } from '../helpers/program.js'

/** The DeadlockError lines a run printed: `who error DeadlockError N name:waitsFor,…`. */
function deadlockErrors(out: string[]): string[] {
  return out.filter((l) => / error DeadlockError /.test(l))
}

describe('policy throw: the wait that closes the cycle fails with DeadlockError', () => {
  test('Lock cycle between two processes (one side awaits, one blocks)', async () => {
    const { out, code } = await run('processes', 'throw')
    assert.equal(code, 0, out.join('\n'))
    const errors = deadlockErrors(out)
    assert.equal(errors.length, 1, out.join('\n'))
    // The cycle names both sides and both locks; the other side then gets its lock.
    assert.match(errors[0]!, /DeadlockError 2 /)
    assert.match(errors[0]!, /:orders/)
    assert.match(errors[0]!, /:stock/)
    assert.ok(out.includes('main got true') || out.includes('side got true'), out.join('\n'))
    assert.ok(out.includes('done'))
  })

  test('semaphore whose every permit is held in the cycle', async () => {
    const { out, code } = await run('semaphore', 'throw')
    assert.equal(code, 0, out.join('\n'))
    const errors = deadlockErrors(out)
    assert.equal(errors.length, 1, out.join('\n'))
    assert.match(errors[0]!, /DeadlockError 2 /)
    assert.match(errors[0]!, /:slots/)
    assert.match(errors[0]!, /:gate/)
  })

  test('a thread joining itself through a chain (main joins a Thread that waits for main\'s lock)', async () => {
    const { out, code } = await run('join', 'throw')
    assert.equal(code, 0, out.join('\n'))
    const errors = deadlockErrors(out)
    assert.equal(errors.length, 1, out.join('\n'))
    assert.match(errors[0]!, /DeadlockError 2 /)
    assert.match(errors[0]!, /:config/) // the lock
    assert.match(errors[0]!, /:Side-B/) // the join
  })
})

