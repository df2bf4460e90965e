/**
 * Behaviour tests of the examples: each runs an example's `main()` (or the
 * tour in a child process) and checks what it reports — no timing claims,
 * since the box may be busy.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
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
import * as poolApplyAsync from '../../examples/pool-apply-async.js'
import * as poolCrash from '../../examples/pool-crash.js'
import * as poolEchoServer from '../../examples/pool-echo-server.js'
import { scenarios, summary } from '../../examples/tour.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** Runs `fn` with console.log silenced (children's output still shows). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log
  console.log = () => {}
  try {
    return await fn()
  } finally {
    console.log = log
  }
}

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

  test('pool apply async: 10 callbacks with the squares of 0..9 after close() and join()', async () => {
    const r = await quietly(poolApplyAsync.main)
    assert.deepEqual(r.squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81])
    assert.ok(r.workers >= 1 && r.workers <= 3)
  })

  test('pool echo server: 50 clients each get their 5 lines back reversed from the pool', async () => {
    const r = await quietly(poolEchoServer.main)
    assert.equal(r.verified, 50)
    assert.ok(r.workers >= 1 && r.workers <= 2)
  })

  test('pool crash: the killed worker fails only its task; 20 others and a later one succeed', async () => {
    assert.deepEqual(await quietly(poolCrash.main), { ok: 20, crashed: 1, after: 42 })
  })

  test('greenlet switch: producer and consumer alternate, the consumer eats everything', async () => {
    const lines = await quietly(greenletSwitch.main)
    assert.deepEqual(lines.filter((l) => l.startsWith('consumer: ate')), ['consumer: ate apple', 'consumer: ate bread', 'consumer: ate cheese'])
  })
})

describe('tour', () => {
  test('lists every example once, in the course order', () => {
    assert.deepEqual(scenarios.map((s) => s.name), [
      'process basics', 'join timing', 'isolation', 'ticket rush', 'queue basics', 'producer consumer', 'joinable queue',
      'pipe ping-pong', 'manager dict', 'threads counter', 'sync primitives', 'parallel threads', 'thread queues', 'echo server', 'pool apply async', 'pool map', 'pool echo server', 'pool crash', 'crawler', 'greenlet switch', 'timeout',
      'cluster ticket rush', 'cluster queue', 'cluster pool map',
    ])
    assert.match(summary([{ name: 'a', ok: true, seconds: 1 }, { name: 'b', ok: false, seconds: 2 }]), /^tour: 1\/2 passed in 3\.0 s/)
  })

  test('importing the tour runs nothing (children import example modules safely)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/examples/import-tour.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'imported')
  })

  test('runs selected scenarios and exits 0 with a summary', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/tour.ts', 'greenlet', 'timeout'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /━━━ 1\/2 greenlet switch/)
    assert.match(r.stdout, /tour: 2\/2 passed/)
  })
})
