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
