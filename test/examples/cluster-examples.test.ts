/**
 * Behaviour tests of the skein/cluster examples: each runs an example's
 * `main()` (which starts its own private redis-server) and checks what it
 * reports across its "machines" — values and exactly-once, no timings.
 * Skipped when redis-server is not installed.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import * as clusterTicketRush from '../../examples/cluster-ticket-rush.js'
import * as clusterQueue from '../../examples/cluster-queue.js'
import * as clusterPoolMap from '../../examples/cluster-pool-map.js'
import { Barrier, BrokenBarrierError } from 'skein' // the examples' own skein (the package's dist/)
import { noRedis } from '../helpers/redis.js'
import { quietly } from '../helpers/quietly.js'

/** The result of an example that ran (not skipped). */
function ran<T extends object>(result: T | { skipped: string }): T {
  if ('skipped' in result) assert.fail(`the example skipped although redis-server is installed: ${result.skipped}`)
  return result
}

describe('cluster examples', { skip: noRedis }, () => {
  test('cluster ticket rush: without a lock the ticket is oversold across machines; under a cluster Lock exactly one sale', async () => {
    const result = ran(await quietly(clusterTicketRush.main))
    assert.ok(result.noLock > 1, `no lock sold ${result.noLock}; the start gate should make every machine read 1`)
    assert.equal(result.lock, 1)
  })

  test('cluster queue: 18 items from two producer machines, each eaten exactly once by two consumer machines', async () => {
    const result = ran(await quietly(clusterQueue.main))
    assert.equal(result.eaten, 18)
    assert.equal(result.distinct, 18)
    assert.deepEqual(Object.keys(result.byConsumer).sort(), ['egon', 'jason'])
  })

  test('cluster pool map: every range counted once, on the two worker machines only, the right number of primes', async () => {
    const result = ran(await quietly(clusterPoolMap.main))
    assert.equal(result.primes, 148_933)
    assert.equal(Object.values(result.tasksByMachine).reduce((a, b) => a + b, 0), 100)
    for (const machine of Object.keys(result.tasksByMachine)) assert.ok(['machine1', 'machine2'].includes(machine), `a task ran on ${machine}`)
  })
})

describe('the cluster examples never wait without a bound', () => {
  test('a ticket-rush buyer that cannot reach Redis aborts the start gate: the others get BrokenBarrierError instead of waiting for ever', async () => {
    const gate = new Barrier(2)
    const other = gate.wait()
    await assert.rejects(clusterTicketRush.buyer('redis://127.0.0.1:1', 'gate-test', 'machine1', gate, null), { name: 'RedisUnreachableError' })
    await assert.rejects(Promise.race([other, new Promise((_, reject) => setTimeout(() => reject(new Error('the gate was not aborted')), 10_000))]), BrokenBarrierError)
  })
})
