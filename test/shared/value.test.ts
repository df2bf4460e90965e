import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RawValue, SharedArray, Value } from '../../src/shared/index.js'
import { Lock } from '../../src/sync/lock.js'
import { RLock } from '../../src/sync/rlock.js'
import { startPeer } from './peers.js'

test('Value and SharedArray get a Lock by default; an RLock on request', async () => {
  const v = new Value('i', 1)
  assert.ok(v.getLock() instanceof Lock)
  assert.ok(v instanceof RawValue)
  const a = new SharedArray('i', 3)
  assert.ok(a.getLock() instanceof Lock)
  assert.notEqual(a.getLock(), v.getLock())
  // not re-entrant: nesting in one thread is reported, not silently allowed
  assert.throws(() => v.withLockSync(() => v.withLockSync(() => 0)), /self-deadlock/)
  // Python's behaviour, on request: the same thread may take it again inside withLock
  const r = new Value('i', 1, { lock: new RLock() })
  assert.equal(await r.withLock(() => r.withLockSync(() => r.value + 1)), 2)
})

test('{ lock: false } has no lock, and says so', async () => {
  const v = new Value('d', 0.5, { lock: false })
  assert.equal(v.value, 0.5)
  assert.throws(() => v.getLock(), { name: 'TypeError', message: /lock: false/ })
  await assert.rejects(v.withLock(() => 1), { message: /lock: false/ })
  assert.throws(() => v.withLockSync(() => 1), TypeError)
  const a = new SharedArray('b', 2, { lock: false })
  assert.throws(() => a.getLock(), TypeError)
})

test('{ lock: someLock } shares that lock', async () => {
  const lock = new Lock()
  const x = new Value('i', 0, { lock })
  const y = new SharedArray('i', 2, { lock })
  assert.equal(x.getLock(), lock)
  assert.equal(y.getLock(), lock)
  await x.withLock(() => assert.equal(lock.acquireSync({ blocking: false }), false))
  assert.equal(lock.locked(), false)
  assert.throws(() => new Value('i', 0, { lock: 'yes' as never }), { name: 'TypeError', message: /options.lock/ })
})

test('withLock returns what fn returns, releases when fn throws, and times out', async () => {
  const v = new Value('i', 0)
  assert.equal(await v.withLock(async () => 'done'), 'done')
  await assert.rejects(v.withLock(() => { throw new Error('boom') }), /boom/)
  assert.throws(() => v.withLockSync(() => { throw new Error('bang') }), /bang/)
  const lock = new Lock()
  const w = new Value('i', 0, { lock })
  lock.acquireSync()
  await assert.rejects(w.withLock(() => 1, { timeout: 20 }), { name: 'TimeoutError' })
  assert.throws(() => w.withLockSync(() => 1, { blocking: false }), { name: 'TimeoutError' })
  lock.release()
  assert.equal(w.withLockSync(() => 7), 7)
})

async function increments(threads: number, n: number, locked: boolean, mode: 'sync' | 'async' | 'mixed' = 'sync'): Promise<number> {
  const v = new Value('i', 0)
  const ready = new RawValue('i', 0)
  const peers = Array.from({ length: threads }, () => startPeer('thread'))
  try {
    await Promise.all(peers.map((p) => p.run('increment', { v, n, ready, parties: threads, locked, mode })))
  } finally {
    await Promise.all(peers.map((p) => p.close()))
  }
  return v.value
}

test('4 worker threads x 2000 withLockSync increments on a Value("i") are exact', async () => {
  assert.equal(await increments(4, 2000, true, 'sync'), 8000)
})

test('4 worker threads x 2000 withLock increments (async and sync mixed) are exact', async () => {
  assert.equal(await increments(4, 2000, true, 'mixed'), 8000)
})

test('the same without the lock loses updates (v.value += 1 is not atomic), so the test above means something', async () => {
  const totals = []
  for (let attempt = 0; attempt < 5; attempt++) {
    const total = await increments(4, 200_000, false)
    totals.push(total)
    if (total < 800_000) return
  }
  assert.fail(`no lost update in 5 runs (${totals.join(', ')}): the threads never overlapped`)
})

test('2 processes x 500 plus this thread x 500 withLock increments (async and sync mixed) are exact', async () => {
  const v = new Value('i', 0)
  const ready = new RawValue('i', 0)
  const peers = Array.from({ length: 2 }, () => startPeer('process'))
  try {
    const mine = (async () => {
      for (let k = 0; k < 500; k++) {
        if (k % 2 === 0) await v.withLock(() => { v.value += 1 })
        else v.withLockSync(() => { v.value += 1 })
      }
    })()
    await Promise.all([...peers.map((p) => p.run('increment', { v, n: 500, ready, parties: 2, mode: 'mixed' })), mine])
  } finally {
    await Promise.all(peers.map((p) => p.close()))
  }
  assert.equal(v.value, 1500)
})

test('withLock excludes tasks of one thread too, across awaits (the default lock is a Lock)', async () => {
  const v = new Value('i', 0)
  await Promise.all(Array.from({ length: 20 }, () => v.withLock(async () => {
    const seen = v.value
    await new Promise((r) => setTimeout(r, 1))
    v.value = seen + 1
  })))
  assert.equal(v.value, 20)
})
