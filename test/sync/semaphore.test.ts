import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Semaphore, BoundedSemaphore, Event } from '../../src/sync/index.js'
import { RawArray } from '../../src/shared/index.js'
import { startPeer, startPeers, type Level } from '../helpers/peer.js'

describe('Semaphore among tasks', () => {
  test('at most N inside at once', async () => {
    const sem = new Semaphore(3)
    let inside = 0
    let peak = 0
    await Promise.all(Array.from({ length: 30 }, () => sem.withLock(async () => {
      inside++
      peak = Math.max(peak, inside)
      await new Promise((r) => setTimeout(r, 1))
      inside--
    })))
    assert.equal(peak, 3)
    assert.equal(sem.value, 3)
  })

  test('acquire counts down, release(n) counts up, non-blocking and timed forms', async () => {
    const sem = new Semaphore(2)
    assert.equal(await sem.acquire(), true)
    assert.equal(sem.acquireSync(), true)
    assert.equal(await sem.acquire({ blocking: false }), false)
    assert.equal(await sem.acquire({ timeout: 10 }), false)
    assert.equal(sem.acquireSync({ timeout: 10 }), false)
    sem.release(2)
    assert.equal(sem.value, 2)
    const waiter = sem.acquire()
    sem.release()
    assert.equal(await waiter, true)
  })

  test('Semaphore(0) blocks until released; an unbounded one may exceed its start', async () => {
    const sem = new Semaphore(0)
    setTimeout(() => sem.release(), 5)
    assert.equal(await sem.acquire({ timeout: 5000 }), true)
    sem.release(5)
    assert.equal(sem.value, 5)
  })

  test('misuse: negative or fractional value, release(0)', () => {
    assert.throws(() => new Semaphore(-1), RangeError)
    assert.throws(() => new Semaphore(1.5), RangeError)
    assert.throws(() => new BoundedSemaphore(-1), RangeError)
    assert.throws(() => new Semaphore(1).release(0), RangeError)
  })

  test('release(n) past the 32-bit count is a RangeError that changes nothing (it wrapped, or added 1)', () => {
    const sem = new Semaphore(3)
    for (const n of [2 ** 31, 2 ** 32 + 1, 2 ** 53, Infinity]) {
      assert.throws(() => sem.release(n), { name: 'RangeError', message: /from 1 to 2147483647/ }, String(n))
      assert.equal(sem.value, 3)
    }
    sem.release(2 ** 31 - 4)
    assert.equal(sem.value, 2 ** 31 - 1)
    assert.throws(() => sem.release(), { name: 'RangeError', message: /past the most a semaphore holds/ })
    assert.equal(sem.value, 2 ** 31 - 1)
    const bounded = new BoundedSemaphore(2 ** 31 - 1)
    assert.throws(() => bounded.release(2 ** 32 + 1), RangeError)
    assert.equal(bounded.value, 2 ** 31 - 1)
  })

  test('BoundedSemaphore: over-release throws RangeError and changes nothing', async () => {
    const b = new BoundedSemaphore(2)
    assert.throws(() => b.release(), RangeError)
    await b.acquire()
    assert.throws(() => b.release(2), RangeError)
    b.release()
    assert.equal(b.value, 2)
  })
})

for (const level of ['thread', 'process'] as Level[]) {
  test(`Semaphore(2) shared with 3 ${level}s never lets more than 2 in`, async () => {
    const sem = new BoundedSemaphore(2)
    const counter = new RawArray('i', 2)
    const peers = await startPeers(level, 3)
    try {
      await Promise.all(peers.map((p) => p.call('semaphoreRounds', sem, counter, 30)))
      assert.equal(counter.array[1], 2, 'peak inside')
      assert.equal(counter.array[0], 0)
      assert.equal(sem.value, 2)
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })

  for (const sync of [false, true]) {
    test(`a release here wakes a ${level}'s ${sync ? 'acquireSync' : 'acquire'} waiting on Semaphore(0) (bounded: a lost wake fails in 20 s, not a hang)`, async () => {
      const sem = new Semaphore(0)
      const ready = new Event()
      const [peer] = await startPeers(level, 1)
      try {
        const woken = peer!.call('acquireWoken', sem, ready, sync)
        assert.equal(await ready.wait(30_000), true, 'the peer started waiting')
        await new Promise((r) => setTimeout(r, 200)) // let it fall asleep
        sem.release()
        assert.equal(await woken, true)
        assert.equal(sem.value, 0, 'the peer took the permit')
      } finally {
        await peer!.close()
      }
    })
  }

  test(`Semaphore as a mutex across ${level}s keeps a count exact`, async () => {
    const sem = new Semaphore(1)
    const counter = new RawArray('i', 1)
    const peers = await startPeers(level, 2)
    try {
      await Promise.all(peers.map((p) => p.call('lockedIncrements', sem, counter, 2000)))
      assert.equal(counter.array[0], 4000)
    } finally {
      await Promise.all(peers.map((p) => p.close()))
    }
  })
}

test('waiting tasks get permits in arrival order (FIFO hand-off, no barging)', async () => {
  const sem = new Semaphore(1)
  await sem.acquire()
  const order: number[] = []
  const waiters = [0, 1, 2, 3].map((i) => sem.acquire().then(() => { order.push(i); sem.release() }))
  sem.release()
  // A newcomer arriving after the release must queue behind the waiters.
  const late = sem.acquire().then(() => { order.push(9); sem.release() })
  await Promise.all([...waiters, late])
  assert.deepEqual(order, [0, 1, 2, 3, 9])
  assert.equal(sem.value, 1)
})
