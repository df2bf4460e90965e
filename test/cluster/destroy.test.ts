/**
 * destroy() on every cluster object, against a real redis-server: the
 * object's keys are gone (and no other object's), and the name starts
 * afresh for everyone — a closed Queue is open and empty again, even seen
 * from another connection (another run).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { EOFError, QueueClosedError } from '../../src/index.js'
import { connect, LockLostError, type Cluster } from '../../src/cluster/index.js'
import { noRedis, useRedis } from '../helpers/redis.js'
import { square } from '../fixtures/cluster-pool-targets.js'

describe('cluster objects: destroy()', { skip: noRedis }, () => {
  const redis = useRedis()
  let a: Cluster
  let b: Cluster
  // Objects' keys (the connections' own liveness keys, destroy:client:…, are not objects').
  const keys = async () => (await a.redis.keys('destroy:*')).filter((k) => !k.startsWith('destroy:client:')).sort()

  before(async () => {
    a = await connect({ url: redis.get().url, namespace: 'destroy' })
    b = await connect({ url: redis.get().url, namespace: 'destroy' })
  })
  after(async () => {
    await a?.close()
    await b?.close()
  })

  test('a closed Queue is open and empty again, for every connection; its in-flight lists go too', async () => {
    const q = a.Queue<number>('jobs')
    for (let i = 0; i < 3; i++) await q.put(i)
    assert.equal(await b.Queue<number>('jobs').get(), 0) // registers in-flight lists
    await q.close()
    await assert.rejects(q.put(9), QueueClosedError)
    assert.ok((await keys()).length > 3, 'a queue in use has several keys')
    await a.Queue('jobs:other').put(1) // a name that extends it is another object
    await q.destroy()
    assert.deepEqual(await keys(), ['destroy:Queue:jobs:other', 'destroy:Queue:jobs:other:unfinished'])
    const fresh = b.Queue<number>('jobs') // as the next run would see it
    assert.equal(await fresh.closed(), false)
    assert.equal(await fresh.qsize(), 0)
    await fresh.put(7)
    assert.equal(await q.get({ timeout: 5000 }), 7, 'the old handle works on the fresh queue')
    await fresh.close()
    await assert.rejects(q.get({ timeout: 5000 }), EOFError)
    await fresh.destroy()
    await a.Queue('jobs:other').destroy()
    assert.deepEqual(await keys(), [])
  })

  test('a held Lock is free after destroy (its holder learns it lost it); Semaphore, Event, dict, JoinableQueue leave no key', async () => {
    const lock = a.Lock('l')
    assert.equal(await lock.acquire(), true)
    await lock.destroy()
    const other = b.Lock('l')
    assert.equal(await other.acquire({ blocking: false }), true)
    await assert.rejects(lock.release(), LockLostError)
    await other.release()
    await other.destroy()

    const sem = a.Semaphore('s', 2)
    await sem.acquire()
    await sem.release()
    await sem.destroy()
    const ev = a.Event('e')
    await ev.set()
    await ev.destroy()
    assert.equal(await b.Event('e').isSet(), false)
    const d = a.dict<number>('d')
    await d.set('x', 1)
    await d.update('x', (n = 0) => n + 1)
    await d.destroy()
    assert.equal(await b.dict('d').size(), 0)
    const jq = a.JoinableQueue<number>('jq')
    await jq.put(1)
    await jq.destroy()
    assert.equal(await jq.join(1000), true, 'nothing unfinished any more')
    assert.deepEqual(await keys(), [])
  })

  test("a Pool's queued tasks and dead letters go (no worker runs here)", async () => {
    const pool = a.Pool({ name: 'p' })
    const pending = pool.applyAsync(square, [3])
    for (let i = 0; i < 100 && await a.redis.llen('destroy:Pool:p:tasks') === 0; i++) await new Promise((r) => setTimeout(r, 20))
    await a.redis.rpush('destroy:Pool:p:dead', 'reason\nmessage')
    await pool.destroy()
    assert.deepEqual(await keys(), [])
    pool.terminate()
    await assert.rejects(pending.get(5000), { name: 'PoolTerminatedError' })
  })
})
