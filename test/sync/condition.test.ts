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

// Issue 14: notify() handed out anonymous tokens that any sleeper could take, so a
// waiter that arrived after the notify took it before the one it was meant for.
test('a notify goes to the waiter registered before it, not to a later wait of the notifier', async () => {
  const c = new Condition()
  const a = c.withLock(() => c.wait(5000))
  await new Promise((r) => setTimeout(r, 10)) // A waits
  const mine = await c.withLock(async () => {
    c.notify()
    return c.wait(300)
  })
  assert.equal(await a, true, 'A, notified, wakes')
  assert.equal(mine, false, 'the holder, registered after the notify, times out')
})

test('notify(n) wakes the n oldest waiters, in order; a waiter that timed out is skipped', async () => {
  const c = new Condition()
  const woke: string[] = []
  const waiter = (name: string, timeout: number) => c.withLock(async () => {
    const ok = await c.wait(timeout)
    if (ok) woke.push(name)
    return ok
  })
  const tick = () => new Promise((r) => setTimeout(r, 5))
  const first = waiter('first', 5000)
  await tick()
  const leaver = waiter('leaver', 1)
  await tick()
  const second = waiter('second', 5000)
  const third = waiter('third', 5000)
  await tick()
  assert.equal(await leaver, false)
  await c.withLock(() => c.notify(2))
  assert.deepEqual(await Promise.all([first, second]), [true, true])
  assert.deepEqual(woke, ['first', 'second'])
  await c.withLock(() => c.notify())
  assert.equal(await third, true)
})

test('a waiter notified after its timeout but before it holds the lock again returns true', async () => {
  const c = new Condition()
  const a = c.withLock(() => c.wait(20))
  await new Promise((r) => setTimeout(r, 5)) // A waits
  await c.acquire() // A's timeout passes while it can't take the lock back
  await new Promise((r) => setTimeout(r, 60))
  c.notify() // A's ticket is still registered: this notify is A's
  c.release()
  assert.equal(await a, true)
  assert.equal(await c.withLock(() => c.wait(10)), false, 'nothing left over for a later waiter')
})

for (const level of ['thread', 'process'] as Level[]) {
  const levels = level === 'process' ? 'processes' : 'threads'
  test(`Condition ping-pong between 2 ${levels}, sync and async: 2,000 turns each, none lost`, async () => {
    const peers = await startPeers(level, 4)
    try {
      const rounds = 2000
      const pairs = [true, false].map((sync, k) => {
        const c = new Condition()
        const turn = new RawArray('i', 1)
        return Promise.all([
          peers[2 * k].call('conditionTurns', c, turn, 0, rounds, 5000, sync),
          peers[2 * k + 1].call('conditionTurns', c, turn, 1, rounds, 5000, sync),
        ])
      })
      assert.deepEqual(await Promise.all(pairs), [[rounds, rounds], [rounds, rounds]])
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })

  test(`bounded buffer on one Condition with notifyAll: 2 producer and 2 consumer ${levels}, room for 2`, async () => {
    const peers = await startPeers(level, 4)
    try {
      const n = 1000
      const c = new Condition()
      const buf = new RawArray('i', 2 + 2)
      const [sumA, sumB, putA, putB] = await Promise.all([
        peers[0].call('bufferTake', c, buf, n, 5000, true),
        peers[1].call('bufferTake', c, buf, n, 5000, false),
        peers[2].call('bufferPut', c, buf, 1, n, 5000, true),
        peers[3].call('bufferPut', c, buf, 1 + n, n, 5000, false),
      ])
      assert.deepEqual([putA, putB], [n, n])
      assert.equal(sumA + sumB, (2 * n * (2 * n + 1)) / 2, 'every item taken exactly once')
      assert.equal(buf.array[0], 0)
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })
}
