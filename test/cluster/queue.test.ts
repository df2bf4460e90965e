/**
 * cluster.Queue / JoinableQueue against a real redis-server (append-only,
 * fsync always): the local queue's interface and errors, across processes
 * with their own connections; nothing lost when a getter dies mid-get or
 * Redis is killed and restarted; nothing handed out twice.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Process, RawArray, RawValue, QueueFullError, QueueEmptyError, QueueClosedError, EOFError } from '../../src/index.js'
import { connect, type Cluster } from '../../src/cluster/index.js'
import { noRedis, useRedis } from '../helpers/redis.js'
import { putRange, putLater, consumeCounting, consumeForever, takeAndHang, workAndMarkDone } from '../fixtures/cluster-queue-targets.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let names = 0
const fresh = (what: string) => `${what}-${process.pid}-${++names}`

async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = performance.now() + ms
  while (!(await ok())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(50)
  }
}

function counts(seen: RawArray<'i'>): number[] {
  return Array.from(seen.array as Int32Array)
}

describe('cluster Queue', { skip: noRedis }, () => {
  const redis = useRedis({ appendonly: true })
  let cluster: Cluster
  const open = async () => (cluster ??= await connect({ url: redis.get().url, namespace: 'qtest' }))

  test('FIFO, structured clone, qsize/empty/full', async () => {
    const c = await open()
    const q = c.Queue<unknown>(fresh('fifo'))
    assert.equal(await q.empty(), true)
    const items = [1, 'two', { three: new Map([[3, new Set([3n])]]) }, new Date(4), Buffer.from('five'), null, undefined]
    for (const item of items) await q.put(item)
    assert.equal(await q.qsize(), items.length)
    assert.equal(await q.full(), false)
    for (const item of items) assert.deepEqual(await q.get(), item)
    assert.equal(await q.empty(), true)
  })

  test('maxsize: putNowait on a full queue → QueueFullError with the item; getNowait on empty → QueueEmptyError', async () => {
    const c = await open()
    const q = c.Queue<number>(fresh('bounded'), 2)
    await q.putNowait(1)
    await q.put(2)
    assert.equal(await q.full(), true)
    await assert.rejects(q.putNowait(3), (e: unknown) => e instanceof QueueFullError && e.item === 3)
    await assert.rejects(q.put(3, { timeout: 50 }), QueueFullError)
    assert.equal(await q.getNowait(), 1)
    assert.equal(await q.getNowait(), 2)
    await assert.rejects(q.getNowait(), QueueEmptyError)
    assert.throws(() => c.Queue('x', -1), RangeError)
  })

  test('get({ timeout }) on an empty queue rejects with QueueEmptyError, as locally; a signal aborts a get', async () => {
    const c = await open()
    const q = c.Queue<number>(fresh('timeout'))
    const started = performance.now()
    await assert.rejects(q.get({ timeout: 100 }), (e: unknown) => e instanceof QueueEmptyError && /timeout/.test(e.message))
    assert.ok(performance.now() - started >= 90)
    await assert.rejects(q.get({ signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' })
    await assert.rejects(q.get({ block: false, timeout: 5 }), TypeError)
    // Nothing left behind by the abandoned gets: a put is got by the next get.
    await q.put(7)
    assert.equal(await q.get({ timeout: 5000 }), 7)
  })

  test('a blocked get is woken by a put from another process', async () => {
    const c = await open()
    const q = c.Queue<string>(fresh('wake'))
    const p = new Process({ target: putLater, args: [q, 'from the child', 300] })
    const got = q.get({ timeout: 30_000 })
    await p.start()
    assert.equal(await got, 'from the child')
    await p.join(30_000)
    assert.equal(p.exitCode, 0)
  })

  test('a blocked put waits until a get makes room', async () => {
    const c = await open()
    const q = c.Queue<number>(fresh('room'), 1)
    await q.put(1)
    const put = q.put(2, { timeout: 30_000 })
    await sleep(100)
    assert.equal(await q.get(), 1)
    await put
    assert.equal(await q.get(), 2)
  })

  test('blocked puts wake when a get makes room, not at their 5 s safety net; one that gives up leaves no stale count behind', async () => {
    const c = await open()
    const name = fresh('wake')
    const q = c.Queue<number>(name, 1)
    await q.put(0)
    const quitter = q.put(-1, { timeout: 200 })
    const puts = [1, 2, 3].map((n) => q.put(n, { timeout: 30_000 }))
    await assert.rejects(quitter, QueueFullError)
    await sleep(100)
    for (let n = 0; n <= 3; n++) {
      const t0 = performance.now()
      assert.equal(await q.get({ timeout: 30_000 }), n)
      if (n < 3) {
        await Promise.race(puts.slice(n)) // one of the waiting puts gets the room
        assert.ok(performance.now() - t0 < 2500, `a blocked put woke ${(performance.now() - t0).toFixed(0)} ms after the get that made room (its safety net is 5 s)`)
      }
    }
    await Promise.all(puts)
    const announced = await c.redis.get(c.key('Queue', name, 'notfull', 'putters'))
    assert.equal(Number(announced ?? 0), 0, 'every putter that announced itself left the count')
  })

  test('close(): puts reject with QueueClosedError, getters drain then see EOFError, for await ends', async () => {
    const c = await open()
    const q = c.Queue<number>(fresh('close'))
    await q.put(1)
    await q.put(2)
    const blocked = c.Queue<number>(q.name)
    await q.close()
    await assert.rejects(q.put(3), QueueClosedError)
    assert.equal(await q.qsize(), 2)
    const drained: number[] = []
    for await (const item of blocked) drained.push(item)
    assert.deepEqual(drained, [1, 2])
    await assert.rejects(q.get(), EOFError)
    await assert.rejects(q.getNowait(), EOFError)
    // Waiting getters are woken by the close.
    const other = c.Queue<number>(fresh('close-wakes'))
    const waiting = [other.get(), other.get()]
    await sleep(100)
    await other.close()
    for (const w of waiting) await assert.rejects(w, EOFError)
  })

  test('producers and consumers in other processes, each with its own connection: every item exactly once', async () => {
    const c = await open()
    const q = c.Queue<number>(fresh('many'), 50)
    const n = 600
    const seen = new RawArray('i', n)
    const producers = [0, 1, 2].map((k) => new Process({ target: putRange, args: [q, (k * n) / 3, ((k + 1) * n) / 3] }))
    const consumers = [0, 1, 2].map(() => new Process({ target: consumeCounting, args: [q, seen] }))
    for (const p of [...consumers, ...producers]) await p.start()
    for (const p of producers) await p.join(60_000)
    await q.close()
    for (const p of consumers) await p.join(60_000)
    for (const p of [...producers, ...consumers]) assert.equal(p.exitCode, 0)
    assert.deepEqual(counts(seen), new Array(n).fill(1))
  })

  test('getters SIGKILLed while blocked and mid-get (item taken out, not yet handed over) lose nothing', async () => {
    const c = await open()
    const q = c.Queue<number>(fresh('killed'))
    const n = 200
    const seen = new RawArray('i', n)
    // One getter blocked on the empty queue, then killed.
    const ready = new RawValue('i', 0)
    const blocked = new Process({ target: consumeForever, args: [q, new RawArray('i', n), ready] })
    await blocked.start()
    await waitUntil('the blocked getter waits', () => ready.value === 1)
    await sleep(300)
    blocked.kill()
    await blocked.join(30_000)
    // One getter that takes items out of the queue and dies before handing them over.
    await q.put(0)
    const took = new RawValue('i', 0)
    const hung = new Process({ target: takeAndHang, args: [q, took] })
    await hung.start()
    await waitUntil('the hung getter took the first item', () => took.value === 1)
    hung.kill()
    await hung.join(30_000)
    assert.equal(hung.exitCode, -9)
    // Survivors get everything, the dead getter's item included, once each.
    const survivors = [0, 1].map(() => new Process({ target: consumeCounting, args: [q, seen] }))
    for (const p of survivors) await p.start()
    const producer = new Process({ target: putRange, args: [q, 1, n] })
    await producer.start()
    await producer.join(60_000)
    // The dead getter's liveness key expires within 10 s; a blocked survivor's sweep then puts its item back.
    await waitUntil('every item arrived', () => counts(seen).every((k) => k >= 1), 60_000).catch(async (error) => {
      const missing = counts(seen).flatMap((k, i) => (k === 0 ? [i] : []))
      throw new Error(`${(error as Error).message}: missing ${missing.join(', ')}; in flight: ${JSON.stringify(await c.redis.hgetall(c.key('Queue', q.name, 'inflight')))}`)
    })
    await q.close()
    for (const p of survivors) await p.join(30_000)
    assert.deepEqual(counts(seen), new Array(n).fill(1))
    assert.equal(await c.redis.hlen(c.key('Queue', q.name, 'inflight')), 0, 'no in-flight list left registered')
  })

  test('Redis SIGKILLed and restarted mid-run: every put that returned is there, clients reconnect by themselves', async () => {
    const c = await open()
    const q = c.Queue<number>(fresh('restart'), 100)
    const n = 1500
    const seen = new RawArray('i', n)
    const returned = new RawValue('i', 0)
    const producer = new Process({ target: putRange, args: [q, 0, n, returned] })
    const consumers = [0, 1].map(() => new Process({ target: consumeCounting, args: [q, seen] }))
    for (const p of [...consumers, producer]) await p.start()
    await waitUntil('a third of the puts returned', () => returned.value >= n / 3)
    await redis.get().restart({ hard: true, downMs: 300 })
    await producer.join(120_000)
    assert.equal(producer.exitCode, 0)
    assert.equal(returned.value, n)
    await q.close()
    for (const p of consumers) await p.join(60_000)
    for (const p of consumers) assert.equal(p.exitCode, 0)
    const got = counts(seen)
    const missing = got.flatMap((k, i) => (k === 0 ? [i] : []))
    assert.deepEqual(missing, [], 'every put that returned was got')
    // A put whose reply was lost in the crash is sent again on reconnect: at most that one item twice.
    const twice = got.flatMap((k, i) => (k > 1 ? [i] : []))
    assert.ok(twice.length <= 1 && got.every((k) => k <= 2), `items got more than once: ${twice.join(', ')}`)
  })

  test('JoinableQueue: join() across processes resolves once every item is marked done; taskDone too often → RangeError', async () => {
    const c = await open()
    const q = c.JoinableQueue<number>(fresh('join'))
    for (let i = 0; i < 40; i++) await q.put(i)
    assert.equal(await q.join(50), false)
    const workers = [0, 1].map(() => new Process({ target: workAndMarkDone, args: [q, 20] }))
    for (const w of workers) await w.start()
    assert.equal(await q.join(60_000), true)
    for (const w of workers) await w.join(30_000)
    for (const w of workers) assert.equal(w.exitCode, 0)
    await assert.rejects(q.taskDone(), RangeError)
    assert.equal(await q.join(0), true)
  })

  test('after(): close the connection', async () => {
    await cluster?.close()
  })
})
