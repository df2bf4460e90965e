import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { Lock, RLock, Semaphore, Event } from '../../src/sync/index.js'
import { RawArray } from '../../src/shared/index.js'
import { TimeoutError } from '../../src/errors.js'
import { startPeer, startPeers, type Level } from '../helpers/peer.js'

const tick = () => new Promise((r) => setTimeout(r, 1))

describe('Lock among tasks of one thread', () => {
  test('mutual exclusion across awaits', async () => {
    const lock = new Lock()
    let inside = 0
    let peak = 0
    await Promise.all(Array.from({ length: 50 }, async () => {
      await lock.withLock(async () => {
        inside++
        peak = Math.max(peak, inside)
        await tick()
        inside--
      })
    }))
    assert.equal(peak, 1)
    assert.equal(lock.locked(), false)
  })

  test('non-blocking and timed acquire', async () => {
    const lock = new Lock()
    assert.equal(await lock.acquire(), true)
    assert.equal(await lock.acquire({ blocking: false }), false)
    assert.equal(lock.acquireSync({ blocking: false }), false)
    assert.equal(await lock.acquire({ timeout: 20 }), false)
    assert.equal(lock.acquireSync({ timeout: 20 }), false)
    setTimeout(() => lock.release(), 5)
    assert.equal(await lock.acquire({ timeout: 5000 }), true)
    lock.release()
  })

  test('abort signal rejects a waiting acquire with its reason', async () => {
    const lock = new Lock()
    await lock.acquire()
    const ac = new AbortController()
    const waiting = lock.acquire({ signal: ac.signal })
    ac.abort(new Error('stop waiting'))
    await assert.rejects(waiting, /stop waiting/)
    lock.release()
    assert.equal(await lock.acquire({ blocking: false }), true)
  })

  test('misuse: release unheld, self-deadlock, bad timeout', async () => {
    const lock = new Lock()
    assert.throws(() => lock.release(), RangeError)
    lock.acquireSync()
    assert.throws(() => lock.acquireSync(), /self-deadlock/)
    assert.throws(() => lock.acquireSync({ timeout: -1 }), RangeError)
    await assert.rejects(lock.acquire({ timeout: -5 }), RangeError)
    assert.throws(() => lock.acquireSync({ blocking: false, timeout: 5 }), TypeError)
    lock.release()
  })

  test('withLock releases when fn throws; hold() works with await using', async () => {
    const lock = new Lock()
    await assert.rejects(lock.withLock(() => { throw new Error('boom') }), /boom/)
    assert.equal(lock.locked(), false)
    {
      await using _held = await lock.hold()
      assert.equal(lock.locked(), true)
    }
    assert.equal(lock.locked(), false)
    await lock.acquire()
    await assert.rejects(lock.withLock(() => 1, { timeout: 10 }), TimeoutError)
    lock.release()
  })
})

describe('RLock', () => {
  test('re-entrant per thread, released as many times', async () => {
    const r = new RLock()
    r.acquireSync()
    r.acquireSync()
    assert.equal(await r.acquire(), true)
    r.release()
    r.release()
    assert.equal(r.locked(), true)
    r.release()
    assert.equal(r.locked(), false)
    assert.throws(() => r.release(), RangeError)
  })

  test('release by a thread that does not own it throws', async () => {
    const r = new RLock()
    const peer = await startPeer('thread')
    try {
      r.acquireSync()
      assert.equal(await peer.call('tryRelease', r), 'RangeError')
      assert.equal(r.locked(), true)
      r.release()
    } finally {
      await peer.close()
    }
  })
})

for (const level of ['thread', 'process'] as Level[]) {
  describe(`Lock across ${level}es`, () => {
    test(`4 ${level}s x 2000 increments under one Lock are exact`, async () => {
      const lock = new Lock()
      const counter = new RawArray('i', 1)
      const peers = await startPeers(level, 4)
      try {
        await Promise.all(peers.map((p) => p.call('lockedIncrements', lock, counter, 2000)))
        assert.equal(counter.array[0], 8000)
      } finally {
        await Promise.all(peers.map((p) => p.close()))
      }
    })

    test(`RLock shared with ${level}s is exact too`, async () => {
      const lock = new RLock()
      const counter = new RawArray('i', 1)
      const peers = await startPeers(level, 2)
      try {
        await Promise.all([...peers.map((p) => p.call('lockedIncrements', lock, counter, 1000)), (async () => {
          for (let i = 0; i < 1000; i++) await lock.withLock(() => { counter.array[0]++ })
        })()])
        assert.equal(counter.array[0], 3000)
      } finally {
        await Promise.all(peers.map((p) => p.close()))
      }
    })
  })
}

test('a lock held by a SIGKILLed process is recovered by the next acquirer', async () => {
  const lock = new Lock()
  const peer = await startPeer('process')
  assert.equal(await peer.call('acquireAndHold', lock), true)
  assert.equal(lock.locked(), true)
  assert.equal(await lock.acquire({ timeout: 50 }), false)
  await peer.kill('SIGKILL')
  assert.equal(await lock.acquire({ timeout: 10_000 }), true)
  assert.equal(lock.recovered, true)
  lock.release()
  assert.equal(await lock.acquire(), true)
  assert.equal(lock.recovered, false)
  lock.release()
})

test('a lock held by a terminated thread is recovered, also by acquireSync', async () => {
  const lock = new RLock()
  const peer = await startPeer('thread')
  assert.equal(await peer.call('acquireAndHold', lock), true)
  await peer.kill()
  assert.equal(lock.acquireSync({ timeout: 10_000 }), true)
  assert.equal(lock.recovered, true)
  lock.release()
  assert.equal(lock.locked(), false)
})

test('creating thousands of primitives costs no segment (file descriptor) each', () => {
  const fds = () => readdirSync('/proc/self/fd').length
  const before = fds()
  const keep = []
  for (let i = 0; i < 3000; i++) keep.push(new Lock(), new RLock(), new Semaphore(2), new Event())
  assert.ok(fds() - before <= 2, `created ${fds() - before} fds for ${keep.length} primitives`)
})

test('tasks already waiting on a Lock still get it after the lock is handed to a thread', async () => {
  const lock = new Lock()
  await lock.acquire()
  const waiting = [lock.acquire(), lock.acquire()]
  const peer = await startPeer('thread')
  try {
    assert.equal(await peer.call('ping'), await peer.call('ping')) // peer is up
    const counter = new RawArray('i', 1)
    const inPeer = peer.call('lockedIncrements', lock, counter, 100) // shares the lock: waiters convert
    lock.release()
    assert.equal(await waiting[0], true)
    lock.release()
    assert.equal(await waiting[1], true)
    lock.release()
    await inPeer
    assert.equal(counter.array[0], 100)
    assert.equal(lock.locked(), false)
  } finally {
    await peer.close()
  }
})
