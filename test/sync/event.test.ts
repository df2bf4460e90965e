import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Event } from '../../src/sync/index.js'
import { startPeer, startPeers, type Level } from '../helpers/peer.js'

test('set, clear, isSet and wait among tasks', async () => {
  const e = new Event()
  assert.equal(e.isSet(), false)
  assert.equal(await e.wait(10), false)
  assert.equal(e.waitSync(10), false)
  const waiters = [e.wait(), e.wait(5000), e.wait()]
  e.set()
  assert.deepEqual(await Promise.all(waiters), [true, true, true])
  assert.equal(e.waitSync(), true)
  e.clear()
  assert.equal(e.isSet(), false)
})

test('a set followed by a clear still releases the waiters of that moment', async () => {
  const e = new Event()
  const waiting = e.wait(5000)
  e.set()
  e.clear()
  assert.equal(await waiting, true)
})

test('misuse: negative timeout; abort signal', async () => {
  const e = new Event()
  await assert.rejects(e.wait(-1), RangeError)
  assert.throws(() => e.waitSync(-1), RangeError)
  const ac = new AbortController()
  const w = e.wait(undefined, { signal: ac.signal })
  ac.abort(new Error('gave up'))
  await assert.rejects(w, /gave up/)
})

for (const level of ['thread', 'process'] as Level[]) {
  test(`an Event set here wakes a ${level} waiting on it, async and blocking`, async () => {
    const e = new Event()
    const peers = await startPeers(level, 2)
    try {
      const a = peers[0].call('waitEvent', e, 30_000)
      const b = peers[1].call('waitEventSync', e, 30_000)
      await new Promise((r) => setTimeout(r, 50))
      e.set()
      assert.deepEqual(await Promise.all([a, b]), [true, true])
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })

  test(`Event ping-pong with a ${level}, 200 rounds`, async () => {
    const ping = new Event()
    const pong = new Event()
    const peer = await startPeer(level)
    try {
      const done = peer.call('pong', ping, pong, 200)
      for (let i = 0; i < 200; i++) {
        ping.set()
        assert.equal(await pong.wait(30_000), true)
        pong.clear()
      }
      assert.equal(await done, 200)
    } finally {
      await peer.close()
    }
  })
}

for (const level of ['thread', 'process'] as Level[]) {
  // Issue 14: set() stored the flag and bumped a separate generation after it, so a
  // waiter that had consumed the flag could be woken again by the late bump and run
  // a step ahead of its peer, which then waited for ever. The race needs a preemption
  // at one instruction, so 2 pairs run at once (more preemption), twice.
  test(`Event ping-pong between ${level === 'process' ? 'processes' : 'threads'}: 2 pairs x 2 rounds x 20,000 hand-offs, none lost`, async () => {
    const pairs = 2
    const n = 20_000
    const peers = await startPeers(level, 2 * pairs)
    try {
      for (let round = 0; round < 2; round++) {
        const results = await Promise.all(Array.from({ length: pairs }, (_, k) => {
          const ping = new Event()
          const pong = new Event()
          return Promise.all([peers[2 * k].call('eventPongSync', ping, pong, n, 5000), peers[2 * k + 1].call('eventPingSync', ping, pong, n, 5000)])
        }))
        assert.deepEqual(results, Array.from({ length: pairs }, () => [n, n]))
      }
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })
}
