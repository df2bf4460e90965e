import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Condition, Lock, RLock } from '../../src/sync/index.js'
import { RawArray } from '../../src/shared/index.js'
import { startPeer, startPeers, type Level } from '../helpers/peer.js'

test('wait/notify without holding the lock throws', async () => {
  const c = new Condition()
  await assert.rejects(c.wait(10), /lock is not held/)
  assert.throws(() => c.waitSync(10), /lock is not held/)
  assert.throws(() => c.notify(), /lock is not held/)
  assert.throws(() => c.notifyAll(), /lock is not held/)
})

test('wait times out with false and holds the lock again', async () => {
  for (const lock of [new Lock(), new RLock(), undefined]) {
    const c = new Condition(lock)
    await c.acquire()
    assert.equal(await c.wait(10), false)
    assert.equal(c.lock.isOwned(), true)
    assert.equal(c.waitSync(10), false)
    assert.equal(c.lock.isOwned(), true)
    c.release()
  }
})

test('notify(1) wakes exactly one waiter, notifyAll the rest', async () => {
  const c = new Condition(new Lock())
  let woken = 0
  const waiters = Array.from({ length: 3 }, () => c.withLock(async () => {
    const ok = await c.wait(10_000)
    woken++
    return ok
  }))
  await new Promise((r) => setTimeout(r, 20))
  await c.withLock(() => c.notify(1))
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(woken, 1)
  await c.withLock(() => c.notifyAll())
  assert.deepEqual(await Promise.all(waiters), [true, true, true])
})

test('an RLock held twice is fully released during wait and restored after', async () => {
  const r = new RLock()
  const c = new Condition(r)
  let flag = false
  r.acquireSync()
  r.acquireSync()
  setTimeout(() => { void c.withLock(() => { flag = true; c.notify() }) }, 10)
  assert.equal(await c.waitFor(() => flag, 10_000), true)
  r.release()
  r.release()
  assert.equal(r.locked(), false)
})

test('waitFor returns the predicate value, also when it times out', async () => {
  const c = new Condition()
  await c.acquire()
  assert.equal(await c.waitFor(() => 0, 20), 0)
  assert.equal(c.waitForSync(() => 'ready'), 'ready')
  c.release()
})

for (const level of ['thread', 'process'] as Level[]) {
  test(`producer here, 2 consumers in ${level}s on one Condition: every item taken once`, async () => {
    const c = new Condition()
    const items = new RawArray('i', 1)
    const peers = await startPeers(level, 2)
    try {
      const consumed = Promise.all(peers.map((p) => p.call('conditionConsumer', c, items, 50)))
      for (let i = 0; i < 100; i++) {
        await c.withLock(() => {
          items.array[0]++
          c.notify()
        })
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1))
      }
      assert.deepEqual(await consumed, [50, 50])
      assert.equal(items.array[0], 0)
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })
}

test('the default lock excludes tasks of one thread across awaits', async () => {
  const c = new Condition()
  let inside = 0
  let peak = 0
  await Promise.all(Array.from({ length: 10 }, () => c.withLock(async () => {
    inside++
    peak = Math.max(peak, inside)
    await new Promise((r) => setTimeout(r, 1))
    inside--
  })))
  assert.equal(peak, 1)
})
