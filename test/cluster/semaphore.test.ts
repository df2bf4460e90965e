/**
 * cluster Semaphore and BoundedSemaphore on a real redis-server: counts, the
 * first user's value, Python's release semantics, a bound across processes,
 * and a killed holder's permit coming back when its lease runs out.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Process } from '../../src/index.js'
import { connect, LockLostError, type Cluster } from '../../src/cluster/index.js'
import { holdPermitForever, insideSemaphore } from '../fixtures/cluster-lock-targets.js'
import { noRedis, useRedis } from '../helpers/redis.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const redis = noRedis === undefined ? useRedis() : undefined

describe('cluster Semaphore', { skip: noRedis }, () => {
  let a: Cluster
  let b: Cluster

  before(async () => {
    a = await connect({ url: redis!.get().url, namespace: 'sems' })
    b = await connect({ url: redis!.get().url, namespace: 'sems' })
  })
  after(async () => {
    await a?.close()
    await b?.close()
  })

  test('counts permits across connections; release gives one back', async () => {
    const s = a.Semaphore('count', 2)
    const other = b.Semaphore('count', 2)
    assert.equal(await s.value(), 2)
    assert.equal(await s.acquire(), true)
    assert.equal(await other.acquire(), true)
    assert.equal(await s.value(), 0)
    assert.equal(await s.acquire({ blocking: false }), false)
    assert.equal(await other.acquire({ timeout: 100 }), false)
    await other.release()
    assert.equal(other.held, 0)
    assert.equal(await s.value(), 1)
    assert.equal(await s.acquire({ blocking: false }), true)
    assert.equal(s.held, 2)
    await s.release(2)
    assert.equal(await s.value(), 2)
  })

  test('the first user of the name sets the value', async () => {
    assert.equal(await a.Semaphore('first', 1).acquire(), true)
    const later = b.Semaphore('first', 5)
    assert.equal(await later.acquire({ blocking: false }), false)
    assert.equal(await later.value(), 0)
  })

  test("a Semaphore's release with no permit held adds one (Python's semantics)", async () => {
    const s = a.Semaphore('raise', 0)
    assert.equal(await s.acquire({ blocking: false }), false)
    const waiter = b.Semaphore('raise', 0)
    const waiting = waiter.acquire({ timeout: 10_000 })
    await sleep(100)
    await s.release()
    assert.equal(await waiting, true, 'woken by the release')
    assert.equal(await s.value(), 0)
    await waiter.release()
    assert.equal(await s.value(), 1)
  })

  test('a BoundedSemaphore release beyond what this handle holds rejects with RangeError', async () => {
    const s = a.BoundedSemaphore('bounded', 1)
    await assert.rejects(s.release(), (e: unknown) => e instanceof RangeError && /released too many times/.test(e.message))
    await s.acquire()
    await assert.rejects(s.release(2), RangeError)
    await s.release()
    await assert.rejects(s.release(), RangeError)
    assert.equal(await s.value(), 1)
  })

  test('bad values and options are clear errors', async () => {
    assert.throws(() => a.Semaphore('bad', -1), RangeError)
    assert.throws(() => a.BoundedSemaphore('bad', 1.5), RangeError)
    assert.throws(() => a.Semaphore('bad', 1, { lease: 1 }), /lease must be/)
    await assert.rejects(a.Semaphore('bad', 1).release(0), RangeError)
  })

  test('a blocked acquire is woken by a release; timeout, abort and withLock', async () => {
    const s = a.Semaphore('wake', 1, { lease: 60_000 })
    const other = b.Semaphore('wake', 1, { lease: 60_000 })
    await s.acquire()
    const t = performance.now()
    const waiting = other.acquire()
    await sleep(100)
    await s.release()
    assert.equal(await waiting, true)
    assert.ok(performance.now() - t < 5000, 'woken by the release, not by the 60 s lease')
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('gave up')), 100)
    await assert.rejects(s.acquire({ signal: controller.signal }), /gave up/)
    await assert.rejects(s.withLock(() => 1, { timeout: 50 }), { name: 'TimeoutError' })
    await other.release()
    assert.equal(await s.withLock(async () => 'in'), 'in')
    {
      await using _permit = await s.hold()
      assert.equal(await s.value(), 0)
    }
    assert.equal(await s.value(), 1)
  })

  test('no lost wake-ups: 8 handles on 2 connections × 15 withLock under Semaphore(3), 60 s leases, finish long before a lease could run out', async () => {
    let inside = 0
    let most = 0
    let done = 0
    const t = performance.now()
    await Promise.all([...Array(8).keys()].map(async (i) => {
      const s = (i % 2 === 0 ? a : b).Semaphore('herd', 3, { lease: 60_000 })
      for (let k = 0; k < 15; k++) {
        await s.withLock(async () => {
          most = Math.max(most, ++inside)
          await sleep(1)
          inside--
          done++
        })
      }
    }))
    assert.equal(done, 120)
    assert.ok(most <= 3 && most >= 1, `most inside at once: ${most}`)
    assert.equal(await a.Semaphore('herd', 3).value(), 3)
    assert.ok(performance.now() - t < 30_000, 'a lost wake-up would stall a waiter until the 60 s lease')
  })

  test('a paused holder loses its permit when the lease runs out; its release throws LockLostError', async () => {
    const s = a.Semaphore('paused', 1, { lease: 200 })
    await s.acquire()
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600) // no renewal can run
    const other = b.Semaphore('paused', 1)
    assert.equal(await other.acquire({ timeout: 5000 }), true)
    await assert.rejects(s.release(), LockLostError)
    assert.equal(await other.value(), 0, "the stale release did not free the new holder's permit")
    await other.release()
  })

  test("a SIGKILLed holder's permit comes back when its lease runs out", async () => {
    const s = a.Semaphore('killed', 1, { lease: 500 })
    const acquired = a.Event('killed-acquired')
    await acquired.clear()
    const p = new Process({ target: holdPermitForever, args: [s, acquired] })
    await p.start()
    assert.equal(await acquired.wait({ timeout: 60_000 }), true)
    assert.equal(await s.acquire({ blocking: false }), false, 'the child holds it')
    p.kill()
    await p.join(30_000)
    const t = performance.now()
    assert.equal(await s.acquire({ timeout: 10_000 }), true)
    assert.ok(performance.now() - t < 5000, 'back about when the 500 ms lease ran out')
    await s.release()
  })

  test('3 processes under Semaphore(2), passed as an argument: never more than 2 inside', async () => {
    const s = a.Semaphore('bound', 2)
    await a.redis.del('sems:test:inside', 'sems:test:peak')
    const ps = [0, 1, 2].map(() => new Process({ target: insideSemaphore, args: [s, 'sems:test:inside', 'sems:test:peak', 20] }))
    for (const p of ps) await p.start()
    for (const p of ps) await p.join(120_000)
    assert.deepEqual(ps.map((p) => p.exitCode), [0, 0, 0])
    const peak = Number(await a.redis.get('sems:test:peak'))
    assert.ok(peak >= 1 && peak <= 2, `peak ${peak}`)
    assert.equal(await s.value(), 2, 'every permit came back')
  })
})
