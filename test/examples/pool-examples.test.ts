/**
 * Behaviour tests of the pool examples: each runs an example's `main()` and
 * checks what it reports (values, never timings).
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import * as poolApplyAsync from '../../examples/pool-apply-async.js'
import * as poolCrash from '../../examples/pool-crash.js'
import * as poolEchoServer from '../../examples/pool-echo-server.js'
import { quietly } from '../helpers/quietly.js'

describe('pool examples', () => {
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
})
