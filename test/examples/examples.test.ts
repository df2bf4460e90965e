/**
 * Behaviour tests of the examples: each runs an example's `main()` and
 * checks what it reports — no timing claims, since the box may be busy. (The
 * pool examples and the tour have files of their own, so each file stays well
 * inside the runner's per-file bound.)
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import * as isolation from '../../examples/isolation.js'
import * as ticketRush from '../../examples/ticket-rush.js'
import * as managerDict from '../../examples/manager-dict.js'
import * as queueBasics from '../../examples/queue-basics.js'
import * as producerConsumer from '../../examples/producer-consumer.js'
import * as joinableQueue from '../../examples/joinable-queue.js'
import * as pipePingPong from '../../examples/pipe-ping-pong.js'
import * as threadQueues from '../../examples/thread-queues.js'
import * as threadsCounter from '../../examples/threads-counter.js'
import * as syncPrimitives from '../../examples/sync-primitives.js'
import * as greenletSwitch from '../../examples/greenlet-switch.js'
import * as deadlock from '../../examples/deadlock.js'
import { quietly } from '../helpers/quietly.js'

describe('examples', () => {
  test('isolation: a global changed in a child stays 0 in the parent; a Value reads 100', async () => {
    assert.deepEqual(await quietly(isolation.main), { counter: 0, shared: 100 })
  })

  test('ticket rush: without a lock the ticket is oversold; with a Lock or a FileLock exactly one sale', async () => {
    const result = await quietly(ticketRush.main)
    assert.ok(result.noLock > 1, `no lock sold ${result.noLock}; the start gate should make every buyer read 1`)
    assert.equal(result.lock, 1)
    assert.equal(result.fileLock, 1)
  })

  test('manager dict: 10 processes x 1,000 update() calls end at exactly 10,000; every pid lands in the list', async () => {
    const result = await quietly(managerDict.main)
    assert.equal(result.hits, 10_000)
    assert.equal(result.pids, 10)
    assert.ok(result.racy >= 1 && result.racy <= 10_000, `get-then-set ended at ${result.racy}`)
  })

  test('queue basics: FIFO order, full and empty caught, a message from one child to another', async () => {
    assert.deepEqual(await quietly(queueBasics.main), { got: [1, 2, 3], passed: '数据hello' })
  })

  test('producer/consumer: 18 items made by two processes, all eaten by two daemon consumers', async () => {
    assert.deepEqual(await quietly(producerConsumer.main), { eaten: 18 })
  })

  test('joinable queue: q.join() returns once all 30 items are processed, the daemon consumer still alive', async () => {
    assert.deepEqual(await quietly(joinableQueue.main), { processed: 30, consumerAliveAtJoin: true })
  })

  test('pipe ping-pong: 10,000 round trips, the child ends on EOF with code 0', async () => {
    assert.deepEqual(await quietly(pipePingPong.main), { roundTrips: 10_000, childExit: 0 })
  })

  test('thread queues: 30 buns eaten; LIFO and priority order across threads', async () => {
    const r = await quietly(threadQueues.main)
    assert.equal(r.eaten, 30)
    assert.deepEqual(r.popped, [5, 4, 3, 2, 1])
    assert.deepEqual(r.order, ['1:fix the outage', '1:call the customer', '2:answer mail', '3:write the report'])
  })

  test('threads counter: with a Lock the counter ends at 0', async () => {
    const result = await quietly(() => threadsCounter.main({ threads: 10 }))
    assert.equal(result.lock, 0)
    assert.ok(result.noLock >= 0 && result.noLock < 10, `no lock ended at ${result.noLock}`)
  })

  test('sync primitives: RLock re-entered 4 deep, Semaphore(3) lets 3 in, activeCount counts the threads, the daemon ends', async () => {
    const result = await quietly(syncPrimitives.main)
    assert.equal(result.rlockDepth, 4)
    assert.equal(result.semaphoreMax, 3)
    assert.equal(result.activeDuringTraffic, 6)
    assert.ok(result.daemonTicks > 0)
  })

  test('greenlet switch: producer and consumer alternate, the consumer eats everything', async () => {
    const lines = await quietly(greenletSwitch.main)
    assert.deepEqual(lines.filter((l) => l.startsWith('consumer: ate')), ['consumer: ate apple', 'consumer: ate bread', 'consumer: ate cheese'])
  })

  test('deadlock: the cycle between the two processes is found, then the timeout breaks it and both finish', async () => {
    assert.deepEqual(await quietly(deadlock.main), {
      cycle: ['Bookkeeper waits for accounts', 'MainProcess waits for ledger'],
      timedOut: true,
      childExit: 0,
    })
  })
})
