import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Barrier } from '../../src/sync/index.js'
import { BrokenBarrierError } from '../../src/errors.js'
import { RawArray } from '../../src/shared/index.js'
import { startPeer, startPeers, type Level } from '../helpers/peer.js'
import { barrierRounds } from '../fixtures/wait-ops.js'

test('misuse: Barrier(0), negative or fractional parties, bad action', () => {
  assert.throws(() => new Barrier(0), RangeError)
  assert.throws(() => new Barrier(-2), RangeError)
  assert.throws(() => new Barrier(1.5), RangeError)
  assert.throws(() => new Barrier(2, { action: 5 as never }), TypeError)
})

test('three tasks pass together with distinct indexes; the action runs once per generation', async () => {
  let actions = 0
  const b = new Barrier(3, { action: () => { actions++ } })
  assert.equal(b.parties, 3)
  for (let round = 0; round < 3; round++) {
    const idx = await Promise.all([b.wait(), b.wait(), b.wait()])
    assert.deepEqual(idx.sort(), [0, 1, 2])
  }
  assert.equal(actions, 3)
  assert.equal(b.nWaiting, 0)
})

test('a timed-out wait breaks the barrier for everyone until reset', async () => {
  const b = new Barrier(3)
  const other = b.wait()
  await assert.rejects(b.wait(20), BrokenBarrierError)
  await assert.rejects(other, BrokenBarrierError)
  assert.equal(b.broken, true)
  await assert.rejects(b.wait(), BrokenBarrierError)
  b.reset()
  assert.equal(b.broken, false)
  const idx = await Promise.all([b.wait(), b.wait(), b.wait()])
  assert.deepEqual(idx.sort(), [0, 1, 2])
})

test('abort breaks waiting parties; a throwing action breaks the barrier', async () => {
  const b = new Barrier(2)
  const waiting = b.wait()
  b.abort()
  await assert.rejects(waiting, BrokenBarrierError)
  const c = new Barrier(2, { action: () => { throw new Error('action failed') } })
  const first = c.wait()
  await assert.rejects(c.wait(), /action failed/)
  await assert.rejects(first, BrokenBarrierError)
})

test('reset while a party waits gives it BrokenBarrierError', async () => {
  const b = new Barrier(2)
  const waiting = b.wait()
  await new Promise((r) => setTimeout(r, 5))
  b.reset()
  await assert.rejects(waiting, BrokenBarrierError)
  assert.equal(b.broken, false)
})

for (const level of ['thread', 'process'] as Level[]) {
  test(`a Barrier shared by this thread and 2 ${level}s`, async () => {
    const b = new Barrier(3)
    const peers = await startPeers(level, 2)
    try {
      for (let round = 0; round < 5; round++) {
        const idx = await Promise.all([peers[0].call('barrierWaitSync', b), peers[1].call('barrierWait', b, 30_000), b.wait(30_000)])
        assert.deepEqual([...idx].sort(), [0, 1, 2])
      }
      const timedOut = await peers[0].call('barrierWait', b, 30)
      assert.equal(timedOut, 'BrokenBarrierError')
      assert.equal(b.broken, true)
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })
}

for (const level of ['thread', 'process'] as Level[]) {
  // Issue 14: a party whose arrival CAS succeeded was made to arrive again when the
  // generation turned in between ("harmless retry"), and the generation's count was
  // zeroed before its number moved, so a generation could pass with 2 of 3 parties.
  test(`Barrier(3), this thread and 2 ${level === 'process' ? 'processes' : 'threads'}: 5,000 generations, each index once per generation`, async () => {
    const generations = 5000
    const b = new Barrier(3)
    const seen = new RawArray('i', generations * 3)
    const peers = await startPeers(level, 2)
    try {
      const done = await Promise.all([
        peers[0].call('barrierRounds', b, seen, generations, 10_000, true),
        peers[1].call('barrierRounds', b, seen, generations, 10_000, false),
        barrierRounds(b, seen, generations, 10_000, false),
      ])
      assert.deepEqual(done, [generations, generations, generations])
      const wrong = [...seen.array].findIndex((n) => n !== 1)
      assert.equal(wrong, -1, `generation ${Math.floor(wrong / 3)}: index ${wrong % 3} seen ${seen.array[wrong]} times`)
      assert.equal(b.broken, false)
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })
}
