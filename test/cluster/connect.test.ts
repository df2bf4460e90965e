/**
 * connect(): reaches a real redis-server, rejects clearly (naming the URL)
 * when none answers, and validates its options.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { connect, RedisUnreachableError } from '../../src/cluster/index.js'
import { freePort } from '../../examples/local-redis.js'
import { noRedis, useRedis } from '../helpers/redis.js'

describe('cluster connect', { skip: noRedis }, () => {
  const redis = useRedis()

  test('connects, namespaces keys, and closes', async () => {
    const cluster = await connect({ url: redis.get().url, namespace: 'app' })
    assert.equal(cluster.namespace, 'app')
    assert.equal(cluster.key('Lock', 'orders'), 'app:Lock:orders')
    assert.equal(await cluster.redis.ping(), 'PONG')
    await cluster.close()
    assert.equal(cluster.isClosed, true)
  })

  test('an unreachable URL rejects with RedisUnreachableError naming it, within connectTimeout', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`
    await assert.rejects(connect({ url, connectTimeout: 300 }), (error: unknown) => {
      assert.ok(error instanceof RedisUnreachableError)
      assert.match(error.message, new RegExp(url.replace(/[.]/g, '\\.')))
      assert.match(error.message, /redis-server/)
      return true
    })
  })

  test('bad options are clear errors', async () => {
    await assert.rejects(connect({} as never), /url must be a Redis URL/)
    await assert.rejects(connect({ url: redis.get().url, namespace: '' }), /namespace must be a non-empty string/)
    await assert.rejects(connect({ url: redis.get().url, connectTimeout: -1 }), /connectTimeout/)
  })

  test('a cluster connection never keeps a process alive by itself', async () => {
    const { spawnSync } = await import('node:child_process')
    const script = `import { connect } from './src/cluster/index.ts'; const c = await connect({ url: '${redis.get().url}' }); await c.redis.ping(); console.log('done')`
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(run.stdout.trim(), 'done')
    assert.equal(run.status, 0)
  })
})
