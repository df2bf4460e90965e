/**
 * cluster Lock and RLock on a real redis-server: mutual exclusion between
 * processes, leases that run out (a killed holder, a paused one), fencing,
 * blocking waits woken by a release, timeouts, aborts, re-entrancy.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Process, Thread } from '../../src/index.js'
import { connect, LockLostError, type Cluster } from '../../src/cluster/index.js'
import { TimeoutError } from '../../src/errors.js'
import { holdLockForever, lockedIncrements } from '../fixtures/cluster-lock-targets.js'
import { noRedis, useRedis } from '../helpers/redis.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Blocks this thread (and its event loop: no renewals run) for `ms`. */
function pauseThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

// One server for the file: a second useRedis() after the first one's stop() is never reached (its stop waits on an unref'd child).
const redis = noRedis === undefined ? useRedis() : undefined

describe('cluster Lock', { skip: noRedis }, () => {
  let a: Cluster
  let b: Cluster

  before(async () => {
    a = await connect({ url: redis!.get().url, namespace: 'locks' })
    b = await connect({ url: redis!.get().url, namespace: 'locks' })
  })
  after(async () => {
    await a?.close()
    await b?.close()
  })

  test('acquire, locked, release; the fence grows with every acquire', async () => {
    const lock = a.Lock('basic')
    assert.equal(await lock.locked(), false)
    assert.equal(await lock.acquire(), true)
    assert.equal(await lock.locked(), true)
    assert.equal(lock.recovered, false)
    const first = lock.fence
    assert.ok(first >= 1)
    await lock.release()
    assert.equal(await lock.locked(), false)
    const other = b.Lock('basic')
    await other.acquire()
    assert.ok(other.fence > first)
    await other.release()
  })

  test('taken elsewhere: blocking:false and a timeout give false; withLock throws TimeoutError', async () => {
    const holder = a.Lock('taken')
    const waiter = b.Lock('taken')
    await holder.acquire()
    assert.equal(await waiter.acquire({ blocking: false }), false)
    const t = performance.now()
    assert.equal(await waiter.acquire({ timeout: 200 }), false)
    assert.ok(performance.now() - t >= 150, 'waited about the timeout')
    await assert.rejects(waiter.withLock(() => 1, { timeout: 50 }), (e: unknown) => e instanceof TimeoutError)
    await assert.rejects(waiter.acquire({ blocking: false, timeout: 10 }), TypeError)
    await holder.release()
    assert.equal(await waiter.acquire({ blocking: false }), true)
    await waiter.release()
  })

  test('a release wakes a blocked waiter at once (not at the lease)', async () => {
    const holder = a.Lock('wake', { lease: 60_000 })
    const waiter = b.Lock('wake', { lease: 60_000 })
    await holder.acquire()
    let got = false
    const waiting = waiter.acquire().then((ok) => { got = ok })
    await sleep(100)
    assert.equal(got, false)
    const t = performance.now()
    await holder.release()
    await waiting
    assert.equal(got, true)
    assert.ok(performance.now() - t < 5000, 'woken by the release, not by the 60 s lease')
    await waiter.release()
  })

  test('an aborted wait rejects with the reason, and the lock works afterwards', async () => {
    const holder = a.Lock('abort')
    const waiter = b.Lock('abort')
    await holder.acquire()
    const controller = new AbortController()
    const waiting = waiter.acquire({ signal: controller.signal })
    setTimeout(() => controller.abort(new Error('gave up')), 100)
    await assert.rejects(waiting, /gave up/)
    await assert.rejects(waiter.acquire({ signal: AbortSignal.abort(new Error('already')) }), /already/)
    await holder.release()
    assert.equal(await waiter.acquire({ timeout: 5000 }), true)
    await waiter.release()
  })

  test('withLock releases however fn ends; hold() releases with await using', async () => {
    const lock = a.Lock('with')
    await assert.rejects(lock.withLock(() => { throw new Error('inside') }), /inside/)
    assert.equal(await lock.locked(), false)
    assert.equal(await lock.withLock(async () => 7), 7)
    {
      await using _held = await lock.hold()
      assert.equal(await lock.locked(), true)
    }
    assert.equal(await lock.locked(), false)
  })

  test('releasing a lock this handle does not hold rejects with RangeError', async () => {
    const lock = a.Lock('not-held')
    await assert.rejects(lock.release(), (e: unknown) => e instanceof RangeError && /not held by this handle/.test(e.message))
    await lock.acquire()
    await assert.rejects(b.Lock('not-held').release(), RangeError)
    await lock.release()
  })

  test('a holder that runs keeps its lease past the lease time (renewed)', async () => {
    const holder = a.Lock('renewed', { lease: 150 })
    await holder.acquire()
    await sleep(700)
    assert.equal(await b.Lock('renewed').acquire({ blocking: false }), false)
    await holder.release()
  })

  test('a paused holder loses the lock when its lease runs out: recovered, a larger fence, and its release throws LockLostError', async () => {
    const paused = a.Lock('paused', { lease: 200 })
    await paused.acquire()
    const staleFence = paused.fence
    pauseThread(600) // no renewal can run
    const next = b.Lock('paused')
    assert.equal(await next.acquire({ timeout: 5000 }), true)
    assert.equal(next.recovered, true)
    assert.ok(next.fence > staleFence)
    await assert.rejects(paused.release(), (e: unknown) => e instanceof LockLostError && /lease/.test(e.message))
    assert.equal(await next.locked(), true, "the stale release did not free the new holder's lock")
    await next.release()
    const after = b.Lock('paused')
    await after.acquire()
    assert.equal(after.recovered, false, 'released properly this time')
    await after.release()
  })

  test('no lost wake-ups: 8 handles on 4 connections × 20 withLock, with a 60 s lease, finish long before any lease could run out', async () => {
    const extra = await Promise.all([0, 1].map(() => connect({ url: redis!.get().url, namespace: 'locks' })))
    try {
      const connections = [a, b, ...extra]
      let inside = 0
      let most = 0
      let done = 0
      const t = performance.now()
      await Promise.all([...Array(8).keys()].map(async (i) => {
        const lock = connections[i % 4]!.Lock('herd', { lease: 60_000 })
        for (let k = 0; k < 20; k++) {
          await lock.withLock(async () => {
            most = Math.max(most, ++inside)
            await sleep(1)
            inside--
            done++
          })
        }
      }))
      assert.equal(done, 160)
      assert.equal(most, 1)
      assert.ok(performance.now() - t < 30_000, 'a lost wake-up would stall a waiter until the 60 s lease')
    } finally {
      for (const c of extra) await c.close()
    }
  })

  test('bad options are clear errors', () => {
    assert.throws(() => a.Lock('x', { lease: 0 }), /lease must be a number of milliseconds/)
    assert.throws(() => a.Lock(''), /name must be a non-empty string/)
  })

  test('4 processes × 25 read–pause–write increments under one Lock passed as an argument are exact', async () => {
    const lock = a.Lock('counter')
    const counter = 'locks:test:counter'
    await a.redis.del(counter)
    const ps = [0, 1, 2, 3].map(() => new Process({ target: lockedIncrements, args: [lock, counter, 25] }))
    for (const p of ps) await p.start()
    for (const p of ps) await p.join(120_000)
    assert.deepEqual(ps.map((p) => p.exitCode), [0, 0, 0, 0])
    assert.equal(Number(await a.redis.get(counter)), 100)
  })

  test('a Lock passed to 2 Threads and a Process: one lock (each thread makes its own connection)', async () => {
    const lock = a.Lock('counter-mixed')
    const counter = 'locks:test:counter-mixed'
    await a.redis.del(counter)
    const workers = [new Thread({ target: lockedIncrements, args: [lock, counter, 20] }), new Thread({ target: lockedIncrements, args: [lock, counter, 20] }), new Process({ target: lockedIncrements, args: [lock, counter, 20] })]
    for (const w of workers) await w.start()
    await lockedIncrements(lock, counter, 20)
    for (const w of workers) await w.join(120_000)
    assert.equal(Number(await a.redis.get(counter)), 80)
  })

  test('a SIGKILLed holder loses the lock when its lease runs out: the next acquirer sees recovered and a larger fence', async () => {
    const lock = a.Lock('killed', { lease: 500 })
    const acquired = a.Event('killed-acquired')
    await acquired.clear()
    const p = new Process({ target: holdLockForever, args: [lock, 'locks:test:killed-fence', acquired] })
    await p.start()
    assert.equal(await acquired.wait({ timeout: 60_000 }), true)
    const childFence = Number(await a.redis.get('locks:test:killed-fence'))
    assert.ok(childFence >= 1)
    assert.equal(await lock.acquire({ blocking: false }), false, 'the child holds it')
    p.kill()
    await p.join(30_000)
    const t = performance.now()
    assert.equal(await lock.acquire({ timeout: 10_000 }), true)
    assert.ok(performance.now() - t < 5000, 'taken over about when the 500 ms lease ran out')
    assert.equal(lock.recovered, true)
    assert.ok(lock.fence > childFence)
    await lock.release()
  })

  test('Redis unreachable: a timeout, blocking:false and a signal still bound acquire; a try that lands late is given back', async () => {
    const lock = a.Lock('down')
    const restarting = redis!.get().restart({ downMs: 2500 })
    while (a.redis.status === 'ready') await sleep(10)
    let t = performance.now()
    assert.equal(await lock.acquire({ timeout: 300 }), false)
    assert.ok(performance.now() - t < 5000, 'gave up about a second after its last try started')
    t = performance.now()
    assert.equal(await lock.acquire({ blocking: false }), false)
    await assert.rejects(lock.acquire({ signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' })
    assert.ok(performance.now() - t < 5000)
    await restarting
    // The tries above reach Redis once it is back and may take the lock: each gives it back.
    const other = b.Lock('down')
    assert.equal(await other.acquire({ timeout: 15_000 }), true)
    await other.release()
  })
})

describe('cluster RLock', { skip: noRedis }, () => {
  let a: Cluster
  let b: Cluster

  before(async () => {
    a = await connect({ url: redis!.get().url, namespace: 'rlocks' })
    b = await connect({ url: redis!.get().url, namespace: 'rlocks' })
  })
  after(async () => {
    await a?.close()
    await b?.close()
  })

  test('re-entrant for the same handle, exclusive against others, released as many times', async () => {
    const r = a.RLock('re')
    const other = b.RLock('re')
    assert.equal(await r.acquire(), true)
    assert.equal(await r.acquire({ blocking: false }), true)
    assert.equal(r.depth, 2)
    assert.equal(await other.acquire({ blocking: false }), false)
    await r.release()
    assert.equal(await other.acquire({ blocking: false }), false, 'still held once')
    await r.release()
    assert.equal(r.depth, 0)
    assert.equal(await other.acquire({ timeout: 5000 }), true)
    await other.release()
    await assert.rejects(r.release(), (e: unknown) => e instanceof RangeError && /does not hold/.test(e.message))
  })

  test('nested withLock; a waiter on another handle is woken by the last release', async () => {
    const r = a.RLock('nested', { lease: 60_000 })
    const other = b.RLock('nested', { lease: 60_000 })
    let got = false
    const inner = await r.withLock(async () => {
      const waiting = other.acquire().then((ok) => { got = ok })
      const value = await r.withLock(async () => 'inner')
      await sleep(50)
      assert.equal(got, false)
      return { value, waiting }
    })
    await inner.waiting
    assert.equal(inner.value, 'inner')
    assert.equal(got, true)
    await other.release()
  })
})
