import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RawArray, SharedArray, Value } from '../../src/shared/index.js'
import { decode, encode } from '../../src/shm/handle.js'
import { startPeer, type PeerKind } from './peers.js'

for (const kind of ['thread', 'process'] as PeerKind[]) {
  test(`a ${kind} writing Values and arrays writes this thread's memory`, async () => {
    const payload = {
      i: new Value('i', 1),
      q: new Value('q', 1n),
      L: new Value('L', 0n, { lock: false }),
      d: new SharedArray('d', [0, 0, 3]),
      B: new RawArray('B', 3),
    }
    const peer = startPeer(kind)
    try {
      assert.deepEqual(await peer.run('write', payload), { seen: 42 })
    } finally {
      await peer.close()
    }
    assert.equal(payload.i.value, 42)
    assert.equal(payload.q.value, -(2n ** 62n))
    assert.equal(payload.L.value, 2n ** 64n - 1n)
    assert.deepEqual(payload.d.toArray(), [1.25, -0.5, 3])
    assert.deepEqual(payload.B.toArray(), [0, 200, 0])
  })
}

test('encode/decode in one thread gives the same memory and the same lock', async () => {
  const v = new Value('h', 5)
  const a = new SharedArray('f', [0.25])
  const copy = (await decode(await encode({ v, a }))) as { v: Value<'h'>; a: SharedArray<'f'> }
  assert.notEqual(copy.v, v)
  copy.v.value = -7
  assert.equal(v.value, -7)
  copy.a.array[0] = 0.75
  assert.equal(a.get(0), 0.75)
  v.getLock().acquireSync()
  assert.equal(copy.v.getLock().acquireSync({ blocking: false }), false, 'the same Lock: already held')
  copy.v.getLock().release()
  assert.equal(v.getLock().acquireSync({ blocking: false }), true, 'released through the copy')
  v.getLock().release()
  const unlocked = (await decode(await encode(new Value('i', 3, { lock: false })))) as Value<'i'>
  assert.equal(unlocked.value, 3)
  assert.throws(() => unlocked.getLock(), /lock: false/)
})

test('a Value whose lock is not a skein lock cannot be sent, and says why', async () => {
  const lock = { acquire: async () => true, acquireSync: () => true, release() {} }
  const v = new Value('i', 0, { lock })
  await v.withLock(() => { v.value = 1 })
  await assert.rejects(encode(v), { name: 'TypeError', message: /not a skein lock/ })
})
