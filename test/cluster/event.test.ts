/**
 * cluster Event on a real redis-server: set / clear / isSet, waits woken by
 * a set (across processes, on several connections at once), timeouts and
 * aborts, and Python's rule that a wait woken by a set returns true.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Process } from '../../src/index.js'
import { connect, type Cluster } from '../../src/cluster/index.js'
import { waitThenSet } from '../fixtures/cluster-lock-targets.js'
import { noRedis, useRedis } from '../helpers/redis.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const redis = noRedis === undefined ? useRedis() : undefined

describe('cluster Event', { skip: noRedis }, () => {
  let a: Cluster
  let b: Cluster

  before(async () => {
    a = await connect({ url: redis!.get().url, namespace: 'events' })
    b = await connect({ url: redis!.get().url, namespace: 'events' })
  })
  after(async () => {
    await a?.close()
    await b?.close()
  })

  test('set, isSet, clear; a wait on a set event returns at once', async () => {
    const e = a.Event('flag')
    assert.equal(await e.isSet(), false)
    await e.set()
    assert.equal(await b.Event('flag').isSet(), true)
    assert.equal(await e.wait(), true)
    assert.equal(await e.wait({ timeout: 0 }), true)
    await e.clear()
    assert.equal(await e.isSet(), false)
  })

  test('a wait times out with false (both forms)', async () => {
    const e = a.Event('timeout')
    const t = performance.now()
    assert.equal(await e.wait({ timeout: 150 }), false)
    assert.ok(performance.now() - t >= 100)
    assert.equal(await e.wait(50), false)
    await assert.rejects(e.wait(-1), RangeError)
  })

  test('one set wakes every waiter, on every connection', async () => {
    const waits = [a, a, b, b, b].map((c) => c.Event('many').wait({ timeout: 10_000 }))
    await sleep(100)
    const t = performance.now()
    await a.Event('many').set()
    assert.deepEqual(await Promise.all(waits), [true, true, true, true, true])
    assert.ok(performance.now() - t < 5000)
  })

  test('a wait woken by a set returns true even if the event was cleared at once', async () => {
    const e = a.Event('pulse')
    const waiting = b.Event('pulse').wait({ timeout: 10_000 })
    await sleep(100)
    await e.set()
    await e.clear()
    assert.equal(await waiting, true)
  })

  test('an aborted wait rejects with the reason', async () => {
    const e = a.Event('abort')
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('gave up')), 100)
    await assert.rejects(e.wait({ signal: controller.signal }), /gave up/)
    await assert.rejects(e.wait(undefined, { signal: AbortSignal.abort(new Error('already')) }), /already/)
    await e.set()
    assert.equal(await e.wait({ timeout: 5000 }), true, 'the event still works')
  })

  // Issue 14 review: a set() published while the waiter's pub/sub connection was
  // down (reconnecting) reached nobody, and the waiter never looked at the key again.
  test('a set while the waiter\'s pub/sub connection is reconnecting still wakes it', async () => {
    const e = b.Event('reconnect')
    const waiting = e.wait({ timeout: 10_000 })
    await sleep(200) // subscribed
    const started = performance.now()
    await a.redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
    await a.Event('reconnect').set() // published while b's subscriber reconnects
    assert.equal(await waiting, true)
    assert.ok(performance.now() - started < 5000, 'woken by the re-check after the reconnect, not by the timeout')
  })

  test('Events passed to a process: it waits (kept alive) for go, then sets done', async () => {
    const go = a.Event('go')
    const done = a.Event('done')
    const p = new Process({ target: waitThenSet, args: [go, done] })
    await p.start()
    await sleep(500) // the child waits on go meanwhile: only the wait keeps it alive
    await go.set()
    assert.equal(await done.wait({ timeout: 30_000 }), true)
    await p.join(30_000)
    assert.equal(p.exitCode, 0)
  })
})
