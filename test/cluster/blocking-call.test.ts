/**
 * How a blocking wait on Redis ends when the connection breaks or Redis
 * stalls — the one implementation (redis/blocking-call.ts) under a lock's
 * and semaphore's wake list, a queue's get and full put, a pool worker's
 * take and a pool client's wait: directly, and through the Lock and the
 * Queue. A stalled server is a real redis-server under SIGSTOP (its
 * connections stay open, nothing answers); a broken connection is one
 * killed with CLIENT KILL.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Redis } from 'ioredis'
import { QueueEmptyError } from '../../src/index.js'
import { connect, type Cluster } from '../../src/cluster/index.js'
import { ABANDONED, GRACE_MS, blockingCall } from '../../src/cluster/redis/blocking-call.js'
import { waitForWake } from '../../src/cluster/sync/wake.js'
import { noRedis, useRedis } from '../helpers/redis.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let names = 0
const fresh = (what: string) => `${what}-${process.pid}-${++names}`

/** `work`, or a failure after `ms` (so a wait that never ends fails here instead of at the runner's bound). */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms) })])
  } finally {
    clearTimeout(timer)
  }
}

describe('blocking waits on Redis: a broken connection, a stalled server', { skip: noRedis }, () => {
  const redis = useRedis()
  let c: Cluster
  let admin: Redis

  /** The id of the client blocked in `cmd` (waits until one is; `what` names it in the failure). */
  async function blockedClient(cmd: string, what: string): Promise<string> {
    for (let i = 0; i < 400; i++) {
      const list = String(await admin.client('LIST'))
      const line = list.split('\n').find((l) => / flags=\w*b\w* /.test(l) && l.includes(` cmd=${cmd} `))
      const id = line === undefined ? undefined : /\bid=(\d+)/.exec(line)?.[1]
      if (id !== undefined) return id
      await sleep(25)
    }
    throw new Error(`no client blocked in ${cmd} on ${what}`)
  }

  before(async () => {
    c = await connect({ url: redis.get().url, namespace: 'blocking' })
    admin = new Redis(redis.get().url)
  })
  after(async () => {
    redis.get().resume()
    await c?.close()
    admin?.disconnect()
  })

  test('a broken connection ends a wait without a bound at once: ABANDONED, and the next wait works', async () => {
    const key = fresh('lost')
    const waiting = blockingCall(c, ['BLPOP', key], null, undefined)
    await admin.client('KILL', 'ID', await blockedClient('blpop', key))
    assert.equal(await within(10_000, 'the wait on a killed connection', waiting), ABANDONED)
    await c.redis.rpush(key, 'x')
    const reply = await blockingCall(c, ['BLPOP', key], performance.now() + 5000, undefined) as Buffer[]
    assert.deepEqual(reply.map(String), [key, 'x'])
  })

  test('a stalled Redis ends a bounded wait about GRACE_MS past its deadline: ABANDONED; an abort ends one at once', async () => {
    const key = fresh('stalled')
    const bounded = blockingCall(c, ['BLPOP', key], performance.now() + 500, undefined)
    await blockedClient('blpop', key)
    redis.get().pause()
    try {
      const t = performance.now()
      assert.equal(await within(15_000, 'a bounded wait on a stalled Redis', bounded), ABANDONED)
      assert.ok(performance.now() - t >= GRACE_MS / 2, 'not before its deadline and the grace')
      const stop = new AbortController()
      const unbounded = blockingCall(c, ['BLPOP', key], null, stop.signal)
      setTimeout(() => stop.abort(new Error('enough')), 200)
      await within(5000, 'an aborted wait', assert.rejects(unbounded, /enough/))
      // Even a wait that can't get a connection (a new one is never ready while Redis stalls) ends at its bound.
      assert.equal(await within(15_000, 'a wait for a connection', blockingCall(c, ['BLPOP', key], performance.now() + 200, undefined)), ABANDONED)
    } finally {
      redis.get().resume()
    }
    await c.redis.rpush(key, 'y')
    const reply = await blockingCall(c, ['BLPOP', key], performance.now() + 5000, undefined) as Buffer[]
    assert.deepEqual(reply.map(String), [key, 'y'])
  })

  test("a wake waiter whose connection breaks returns for its caller to try again, passing on a token it may have taken", async () => {
    const list = fresh('wake')
    const waiting = waitForWake(c, list, null)
    await admin.client('KILL', 'ID', await blockedClient('blpop', list))
    await within(10_000, 'a wake wait on a killed connection', waiting)
    assert.equal(await c.redis.llen(list), 1, 'the token it might have taken is passed on')
  })

  test('Lock: a waiter blocked when Redis stalls gives up at its timeout; one whose connection breaks still gets the lock at the release', async () => {
    const name = fresh('lock')
    const holder = c.Lock(name, { lease: 60_000 })
    const other = await connect({ url: redis.get().url, namespace: 'blocking' })
    try {
      assert.equal(await holder.acquire(), true)
      const waiter = other.Lock(name, { lease: 60_000 })
      const timed = waiter.acquire({ timeout: 1500 })
      await blockedClient('blpop', `blocking:Lock:${name}:wake`)
      redis.get().pause()
      try {
        assert.equal(await within(15_000, 'a timed acquire on a stalled Redis', timed), false)
      } finally {
        redis.get().resume()
      }
      const blocked = waiter.acquire()
      await admin.client('KILL', 'ID', await blockedClient('blpop', `blocking:Lock:${name}:wake`))
      await sleep(100)
      await holder.release()
      assert.equal(await within(15_000, 'the waiter after its connection broke', blocked), true)
      await waiter.release()
    } finally {
      await other.close()
    }
  })

  test('Queue: a get blocked when Redis stalls rejects with QueueEmptyError soon after its timeout; one whose connection breaks gets the next item; nothing lost or doubled', async () => {
    const q = c.Queue<number>(fresh('q'))
    const other = await connect({ url: redis.get().url, namespace: 'blocking' })
    try {
      const getter = other.Queue<number>(q.name)
      const timed = getter.get({ timeout: 1500 })
      await blockedClient('blmove', q.name)
      redis.get().pause()
      try {
        await within(15_000, 'a timed get on a stalled Redis', assert.rejects(timed, QueueEmptyError))
      } finally {
        redis.get().resume()
      }
      const blocked = getter.get()
      await admin.client('KILL', 'ID', await blockedClient('blmove', q.name))
      await sleep(100)
      await q.put(7)
      assert.equal(await within(15_000, 'the get after its connection broke', blocked), 7)
      await q.put(8)
      assert.equal(await getter.get({ timeout: 10_000 }), 8)
      assert.equal(await q.qsize(), 0)
    } finally {
      await other.close()
    }
  })
})
