// The queue family within one thread: semantics, errors, types, and the ring's
// wrap-around checked against a model.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  Queue, JoinableQueue, SimpleQueue, LifoQueue, PriorityQueue, Lock, Event,
  QueueFullError, QueueEmptyError, QueueClosedError, EOFError,
} from '../../src/index.js'

test("the seeds' Queue(3) walk-through: put, putNowait on a full queue, get, getNowait on an empty one", async () => {
  const q = new Queue<string>(3)
  assert.equal(q.maxsize, 3)
  assert.ok(q.empty())
  await q.put('msg1')
  q.putNowait('msg2')
  q.putSync('msg3')
  assert.equal(q.full(), true)
  assert.equal(q.qsize(), 3)
  assert.throws(() => q.putNowait('msg4'), (e: unknown) => e instanceof QueueFullError && e.item === 'msg4')
  await assert.rejects(q.put('msg4', { block: false }), QueueFullError)
  await assert.rejects(q.put('msg4', { timeout: 20 }), (e: unknown) => e instanceof QueueFullError && /timeout/.test((e as Error).message))
  assert.equal(q.qsize(), 3, 'refused items were not enqueued')
  assert.equal(await q.get(), 'msg1')
  assert.equal(q.getNowait(), 'msg2')
  assert.equal(q.getSync(), 'msg3')
  assert.equal(q.empty(), true)
  assert.throws(() => q.getNowait(), QueueEmptyError)
  await assert.rejects(q.get({ timeout: 20 }), QueueEmptyError)
  assert.throws(() => q.getSync({ timeout: 10 }), QueueEmptyError)
})

test('bad sizes and options are clear errors', () => {
  for (const bad of [-1, 1.5, Number.NaN, '3' as unknown as number]) {
    assert.throws(() => new Queue(bad), (e: unknown) => e instanceof RangeError && /non-negative integer/.test((e as Error).message))
  }
  assert.throws(() => new Queue(0, { capacity: -5 }), RangeError)
  assert.throws(() => new Queue(0, { capacity: 2 ** 31 }), RangeError)
  const q = new Queue<number>()
  assert.throws(() => q.getSync({ timeout: -1 }), RangeError)
  assert.throws(() => q.putSync(1, { block: false, timeout: 5 }), TypeError)
})

test('a get waits for a later put; a put on a full queue waits for a get', async () => {
  const q = new Queue<number>(1)
  const got = q.get()
  setTimeout(() => q.putNowait(7), 10)
  assert.equal(await got, 7)
  q.putNowait(1)
  const order: string[] = []
  const put = q.put(2).then(() => order.push('put'))
  await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(order, [], 'the put waits while full')
  assert.equal(await q.get(), 1)
  await put
  assert.equal(await q.get(), 2)
})

test('many tasks waiting on one queue each get one item, none twice', async () => {
  const q = new Queue<number>()
  const waiting = Array.from({ length: 50 }, () => q.get())
  for (let i = 0; i < 50; i++) await q.put(i)
  const got = (await Promise.all(waiting)).sort((a, b) => a - b)
  assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => i))
})

test('an aborted signal rejects a waiting get with its reason and takes nothing', async () => {
  const q = new Queue<number>()
  const ac = new AbortController()
  const got = q.get({ signal: ac.signal })
  ac.abort(new Error('stop'))
  await assert.rejects(got, /stop/)
  q.putNowait(1)
  assert.equal(q.getNowait(), 1)
})

test('close: puts throw, readers drain, then EOFError; for await ends; a waiting get wakes', async () => {
  const q = new Queue<number>()
  const waiting = q.get()
  q.close()
  await assert.rejects(waiting, EOFError)
  const r = new Queue<number>()
  for (const n of [1, 2, 3]) r.putNowait(n)
  r.close()
  assert.equal(r.closed, true)
  assert.throws(() => r.putNowait(4), (e: unknown) => e instanceof QueueClosedError && e.item === 4)
  await assert.rejects(r.put(4), QueueClosedError)
  const seen: number[] = []
  for await (const n of r) seen.push(n)
  assert.deepEqual(seen, [1, 2, 3])
  assert.throws(() => r.getSync(), EOFError)
})

test('items keep their types: Map, Set, Date, BigInt, typed arrays, Buffers, nested objects, edge numbers', async () => {
  const q = new Queue<unknown>()
  const items: unknown[] = [
    0, -0, Number.NaN, Infinity, 2 ** 53 + 2, 'héllo ✓ 🧵', '', true, false, null, undefined,
    10n ** 30n, new Date(1234), new Map<unknown, unknown>([[1, 'a'], ['b', new Set([1, 2])]]),
    new Set(['x']), new Float64Array([1.5, -2]), new Int32Array([1, -1]), Buffer.from('buf'),
    new Uint8Array([1, 2, 3]), { nested: { list: [1, { deep: [2n] }], when: new Date(5) } }, [1, 'two', [3]],
    /re/g, new Error('boom'),
    // Plain data takes the JSON path; what JSON would change takes structured clone.
    { plain: [1, 'two', { three: true, four: null }], n: 1.5e300 }, { u: undefined, z: -0, nan: Number.NaN },
    // eslint-disable-next-line no-sparse-arrays
    [1, , 3], Object.assign(Object.create(null), { bare: 1 }), { deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) },
  ]
  for (const item of items) await q.put(item)
  for (const item of items) {
    const got = await q.get()
    if (item instanceof Error) {
      assert.ok(got instanceof Error)
      assert.equal((got as Error).message, 'boom')
    } else if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) === null) {
      assert.deepEqual(got, { ...item }, 'a null-prototype object arrives as a plain object (as structured clone does)')
    } else assert.deepEqual(got, item)
    if (Array.isArray(item)) assert.deepEqual(Object.keys(got as object), Object.keys(item), 'holes stay holes')
    if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) !== null) assert.equal(Object.getPrototypeOf(got), Object.getPrototypeOf(item))
  }
  assert.ok(Object.is(await (q.putNowait(-0), q.get()), -0))
  q.putSync({ z: -0 })
  assert.ok(Object.is((q.getSync() as { z: number }).z, -0))
})

test('an item that cannot be cloned is a TypeError at put, and nothing is enqueued', async () => {
  const q = new Queue<unknown>()
  await assert.rejects(q.put({ f: () => 1 }), (e: unknown) => e instanceof TypeError && /can't be sent/.test((e as Error).message))
  assert.throws(() => q.putNowait(Symbol('s')), TypeError)
  assert.throws(() => q.putSync(new WeakMap()), TypeError)
  assert.equal(q.qsize(), 0)
})

test('items of many MiB pass intact; an item larger than the capacity is a RangeError', async () => {
  const q = new Queue<Buffer>()
  const big = Buffer.alloc(24 * 1024 * 1024)
  for (let i = 0; i < big.length; i += 4093) big[i] = i & 0xff
  await q.put(big)
  const back = await q.get()
  assert.equal(back.length, big.length)
  assert.ok(back.equals(big))
  const small = new Queue<Buffer>(0, { capacity: 1 << 20 })
  assert.throws(() => small.putNowait(Buffer.alloc(2 << 20)), (e: unknown) => e instanceof RangeError && /capacity/.test((e as Error).message))
  // An unbounded queue whose unread bytes fill its capacity refuses clearly instead of blocking.
  small.putNowait(Buffer.alloc(600_000))
  assert.throws(() => small.putNowait(Buffer.alloc(600_000)), (e: unknown) => e instanceof QueueFullError && /capacity/.test((e as Error).message))
  assert.equal(small.qsize(), 1)
})

test('a bounded queue whose bytes run out waits for room, as when full', async () => {
  const q = new Queue<Buffer>(10, { capacity: 1 << 20 })
  q.putNowait(Buffer.alloc(700_000, 1))
  const second = q.put(Buffer.alloc(700_000, 2))
  await new Promise((r) => setTimeout(r, 10))
  assert.equal(q.qsize(), 1)
  assert.equal((await q.get())[0], 1)
  await second
  assert.equal((await q.get())[0], 2)
})

test('LifoQueue takes the newest first; PriorityQueue the lowest priority, FIFO among equals', () => {
  const stack = new LifoQueue<number>()
  for (const n of [1, 2, 3]) stack.putNowait(n)
  assert.deepEqual([stack.getNowait(), stack.getNowait(), stack.getNowait()], [3, 2, 1])
  const jobs = new PriorityQueue<string>()
  jobs.putNowait([2, 'write'])
  jobs.putNowait([1, 'read'])
  jobs.putNowait([2, 'send'])
  jobs.putNowait([-Infinity, 'first'])
  jobs.putNowait([5n as unknown as number, 'big'])
  assert.deepEqual([jobs.getNowait(), jobs.getNowait(), jobs.getNowait(), jobs.getNowait(), jobs.getNowait()],
    [[-Infinity, 'first'], [1, 'read'], [2, 'write'], [2, 'send'], [5, 'big']])
  assert.throws(() => jobs.putNowait('x' as never), TypeError)
  assert.throws(() => jobs.putNowait([Number.NaN, 'x']), TypeError)
  assert.throws(() => jobs.putNowait(['1' as unknown as number, 'x']), /priority must be a number/)
})

test('JoinableQueue: join resolves once every item is marked done; extra taskDone is a RangeError', async () => {
  const q = new JoinableQueue<number>()
  assert.equal(await q.join(), true)
  await q.put(1)
  await q.put(2)
  assert.equal(await q.join(10), false)
  assert.equal(q.joinSync(5), false)
  const consumer = (async () => {
    for (let i = 0; i < 2; i++) {
      await q.get()
      q.taskDone()
    }
  })()
  assert.equal(await q.join(), true)
  await consumer
  assert.throws(() => q.taskDone(), (e: unknown) => e instanceof RangeError && /more times/.test((e as Error).message))
  const s = new SimpleQueue<string>()
  await s.put('x')
  assert.equal(s.empty(), false)
  assert.equal(await s.get(), 'x')
})

test('a Lock and an Event sent through a queue arrive as the same objects', async () => {
  const q = new Queue<{ lock: Lock; ev: Event }>()
  const lock = new Lock()
  const ev = new Event()
  await q.put({ lock, ev })
  const got = await q.get()
  assert.ok(got.lock instanceof Lock)
  await lock.acquire()
  assert.equal(got.lock.locked(), true)
  lock.release()
  got.ev.set()
  assert.equal(ev.isSet(), true)
  q.putSync({ lock, ev })
  assert.equal(q.getSync().lock.locked(), false)
})

// A model check of the ring: random puts and gets of random sizes in a small
// ring, so frames wrap around its end many times.
// With 4 MiB rings (and larger items) pages behind the readers are given back
// as they go, which must never touch an unread byte.
for (const [name, make, take, big] of [
  ['Queue', () => new Queue<unknown>(0, { capacity: 1 << 20 }), (model: unknown[]) => model.shift(), 60_000],
  ['LifoQueue', () => new LifoQueue<unknown>(0, { capacity: 1 << 20 }), (model: unknown[]) => model.pop(), 60_000],
  ['Queue (4 MiB ring)', () => new Queue<unknown>(0, { capacity: 4 << 20 }), (model: unknown[]) => model.shift(), 400_000],
  ['LifoQueue (4 MiB ring)', () => new LifoQueue<unknown>(0, { capacity: 4 << 20 }), (model: unknown[]) => model.pop(), 400_000],
] as const) {
  test(`${name}: 20,000 random operations with wrap-around match a model`, () => {
    const q = make()
    const model: unknown[] = []
    let seed = 42
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    let serial = 0
    for (let step = 0; step < 20_000; step++) {
      if (rand() < 0.52 || model.length === 0) {
        const size = rand() < 0.1 ? Math.floor(rand() * big) : Math.floor(rand() * 200)
        const item = rand() < 0.5 ? `${serial++}:${'x'.repeat(size)}` : { serial: serial++, pad: new Uint8Array(size).fill(serial & 0xff) }
        try {
          q.putNowait(item)
          model.push(item)
        } catch (e) {
          assert.ok(e instanceof QueueFullError, String(e))
          // Full of bytes: drain half.
          for (let k = Math.ceil(model.length / 2); k > 0; k--) assert.deepEqual(q.getNowait(), take(model))
        }
      } else {
        assert.deepEqual(q.getNowait(), take(model))
      }
      assert.equal(q.qsize(), model.length)
    }
    while (model.length > 0) assert.deepEqual(q.getNowait(), take(model))
    assert.throws(() => q.getNowait(), QueueEmptyError)
  })
}

for (const [capacity, big] of [[1 << 20, 100], [4 << 20, 300_000]] as const) {
  test(`PriorityQueue (${capacity >> 20} MiB ring): 20,000 random operations with wrap-around match a sorted model`, () => {
    const q = new PriorityQueue<string>(0, { capacity })
    const model: Array<[number, string]> = []
    let seed = 7
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    let serial = 0
    for (let step = 0; step < 20_000; step++) {
      if (rand() < 0.55 || model.length === 0) {
        const size = rand() < 0.05 ? Math.floor(rand() * big) : 8
        const pair: [number, string] = [Math.floor(rand() * 20), `${serial++}:${'p'.repeat(size)}`]
        try {
          q.putNowait(pair)
          model.push(pair)
        } catch (e) {
          assert.ok(e instanceof QueueFullError, String(e))
        }
      } else {
        let best = 0
        for (let i = 1; i < model.length; i++) if (model[i][0] < model[best][0]) best = i
        assert.deepEqual(q.getNowait(), model.splice(best, 1)[0])
      }
    }
    assert.equal(q.qsize(), model.length)
  })
}

test('join() on a LifoQueue and a PriorityQueue wakes when the last taskDone comes from another task', async () => {
  for (const q of [new LifoQueue<number>(), new PriorityQueue<number>()] as Array<Queue<unknown>>) {
    q.putNowait(q instanceof PriorityQueue ? [1, 1] : 1)
    const joined = q.join(5_000)
    setTimeout(() => { q.getNowait(); q.taskDone() }, 20)
    assert.equal(await joined, true)
  }
})
