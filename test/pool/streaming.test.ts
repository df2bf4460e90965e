import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Pool, ThreadPool } from '../../src/index.js'
import { sleepMs, square, waitGate } from '../fixtures/pool-targets.js'
import { Gate } from '../helpers/gate.js'

/** `promise`'s value, or 'held' if it has not settled within `ms` (a generous bound: only a result held back reaches it). */
async function within<T>(promise: Promise<T>, ms = 20_000): Promise<T | 'held'> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<'held'>((resolve) => { timer = setTimeout(resolve, ms, 'held') })
  try {
    return await Promise.race([promise, bound])
  } finally {
    clearTimeout(timer)
  }
}

for (const [kind, make] of [['ThreadPool', () => new ThreadPool({ threads: 1 })], ['Pool', () => new Pool({ processes: 1 })]] as const) {
  describe(kind, () => {
    test('a result reaches the caller when its task ends, while later tasks of its batch still run', async () => {
      await using pool = make()
      // Every function is located first, so the three below are queued in one
      // step: one worker, batches of ceil(3 / 2) = 2 (or one of 3), so the
      // sleep and the gated task travel in one batch, and the gated one
      // cannot end until the test opens the gate.
      const open = new Gate()
      open.open()
      assert.deepEqual(await Promise.all([pool.apply(sleepMs, [1]), pool.apply(waitGate, [open.shared, 1]), pool.apply(square, [1])]), [1, 1, 1])
      const gate = new Gate()
      const first = pool.apply(sleepMs, [30])
      const gated = pool.apply(waitGate, [gate.shared, 7])
      const last = pool.apply(square, [3])
      try {
        assert.equal(await within(first), 30, 'the first result was held until its batch ended')
        await gate.untilStarted(1)
        assert.equal(await within(gated, 50), 'held', 'the gated task is still running')
      } finally {
        gate.open()
      }
      assert.deepEqual(await Promise.all([gated, last]), [7, 9])
    })
  })
}
