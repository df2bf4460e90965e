/**
 * connect(): reaches a real redis-server, rejects clearly (naming the URL)
 * when none answers, and validates its options.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { connect, RedisUnreachableError } from '../../src/cluster/index.js'
import { freePort, startLocalRedis } from '../../examples/local-redis.js'
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

  test('close() while Redis is gone rejects the commands it had sent, so nothing holds the process alive', async () => {
    const gone = (await startLocalRedis())!
    const cluster = await connect({ url: gone.url })
    const inFlight = cluster.redis.blpop('never-pushed', 0) // sent, never answered
    await new Promise((resolve) => setTimeout(resolve, 100))
    await gone.stop()
    // The connection is lost: ioredis keeps the command to send again after a reconnect.
    while (cluster.redis.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 10))
    await cluster.close()
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<string>((resolve) => { timer = setTimeout(resolve, 10_000, 'still pending 10 s after close()') })
    const outcome = await Promise.race([inFlight.then(String, (e: Error) => e.message), bound])
    clearTimeout(timer)
    assert.match(outcome, /Connection is closed/)
  })

  test('close() on a live connection lets the commands already sent finish', async () => {
    const cluster = await connect({ url: redis.get().url })
    const sent = Array.from({ length: 100 }, (_, i) => cluster.redis.incr(`close-finishes:${process.pid}`).then(() => i))
    await cluster.close()
    assert.deepEqual(await Promise.all(sent), Array.from({ length: 100 }, (_, i) => i))
  })
})
