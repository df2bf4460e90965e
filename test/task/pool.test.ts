import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TaskPool, sleep } from '../../src/task/index.ts'

const T = { timeout: 10_000 }

/** A task body that records the peak number of concurrent runs. */
function tracker(): { fn: (signal: AbortSignal, x: number) => Promise<number>; max: () => number; now: () => number } {
  let active = 0
  let peak = 0
  return {
    fn: async (signal, x) => {
      active++
      peak = Math.max(peak, active)
      try {
        await sleep(x % 3, { signal })
        return x * 2
      } finally {
        active--
      }
    },
    max: () => peak,
    now: () => active,
  }
}

test('map returns results in order and never exceeds size', T, async () => {
  const pool = new TaskPool(4)
  const t = tracker()
  const items = Array.from({ length: 50 }, (_, i) => i)
  assert.deepEqual(await pool.map(t.fn, items), items.map((x) => x * 2))
  assert.equal(t.max(), 4)
  assert.equal(pool.running, 0)
})

test('map over a generator (not an array) works and stays within size', T, async () => {
  const pool = new TaskPool(3)
  const t = tracker()
  function* gen(): Generator<number> { for (let i = 0; i < 20; i++) yield i }
  assert.deepEqual(await pool.map(t.fn, gen()), Array.from({ length: 20 }, (_, i) => i * 2))
  assert.equal(t.max(), 3)
  assert.deepEqual(await pool.map(t.fn, []), [])
})

test('spawn, map, imap and imapUnordered together never exceed size', T, async () => {
  const pool = new TaskPool(5)
  const t = tracker()
  const items = Array.from({ length: 40 }, (_, i) => i)
  const spawned = items.map((i) => pool.spawn(t.fn, i))
  const collect = async (it: AsyncIterable<number>): Promise<number[]> => { const out: number[] = []; for await (const v of it) out.push(v); return out }
  const [m, im, imu] = await Promise.all([pool.map(t.fn, items), collect(pool.imap(t.fn, items)), collect(pool.imapUnordered(t.fn, items))])
  assert.deepEqual(await Promise.all(spawned), items.map((x) => x * 2))
  assert.deepEqual(m, items.map((x) => x * 2))
  assert.deepEqual(im, items.map((x) => x * 2))
  assert.deepEqual([...imu].sort((a, b) => a - b), items.map((x) => x * 2))
  assert.equal(t.max(), 5)
  assert.equal(await pool.join(), true)
})

test('spawn queues when full (FIFO) and starts tasks as slots free', T, async () => {
  const pool = new TaskPool(2)
  const order: number[] = []
  const tasks = [0, 1, 2, 3, 4].map((i) => pool.spawn(async (signal, x: number) => { order.push(x); await sleep(2, { signal }) }, i))
  assert.equal(pool.waiting, 3)
  assert.equal(pool.free(), 0)
  await Promise.all(tasks)
  assert.deepEqual(order, [0, 1, 2, 3, 4])
  assert.equal(pool.free(), 2)
})

test('waitAvailable gives a producer loop backpressure', T, async () => {
  const pool = new TaskPool(3)
  const t = tracker()
  for (let i = 0; i < 30; i++) {
    await pool.waitAvailable()
    assert.ok(pool.running < 3)
    pool.spawn(t.fn, i)
  }
  await pool.join()
  assert.equal(t.max(), 3)
})

test('imap yields in input order, imapUnordered in finishing order', T, async () => {
  const pool = new TaskPool(4)
  const wait = async (signal: AbortSignal, ms: number): Promise<number> => { await sleep(ms, { signal }); return ms }
  const ordered: number[] = []
  for await (const v of pool.imap(wait, [40, 1, 20])) ordered.push(v)
  assert.deepEqual(ordered, [40, 1, 20])
  const unordered: number[] = []
  for await (const v of pool.imapUnordered(wait, [40, 1, 20])) unordered.push(v)
  assert.deepEqual(unordered, [1, 20, 40])
})

test('imap with maxsize holds back a slow reader', T, async () => {
  const pool = new TaskPool(4)
  let started = 0
  const it = pool.imap(async (_s, x: number) => { started++; return x }, Array.from({ length: 100 }, (_, i) => i), { maxsize: 5 })
  const first = await it.next()
  assert.equal(first.value, 0)
  await sleep(10)
  assert.ok(started <= 5 + 4 + 1, `started ${started} items for a reader that took one`)
  let n = 1
  for await (const _ of it) n++
  assert.equal(n, 100)
})

test('map rejects with the first error and aborts the items in flight', T, async () => {
  const pool = new TaskPool(3)
  const err = new Error('bad item')
  const aborted: unknown[] = []
  let started = 0
  const p = pool.map(async (signal, x: number) => {
    started++
    if (x === 1) { await sleep(2); throw err }
    await sleep(60_000, { signal }).catch((e) => { aborted.push(e); throw e })
    return x
  }, Array.from({ length: 10 }, (_, i) => i))
  await assert.rejects(p, (e) => e === err)
  await pool.join()
  assert.equal(started, 3) // no item started after the failure
  assert.equal(aborted.length, 2)
  assert.equal(pool.running, 0)
})

test('leaving imap early aborts running items and frees the pool', T, async () => {
  const pool = new TaskPool(3)
  const aborted: unknown[] = []
  let started = 0
  const fn = async (signal: AbortSignal, x: number): Promise<number> => {
    started++
    if (x === 0) return 0
    await sleep(60_000, { signal }).catch((e) => { aborted.push(e); throw e })
    return x
  }
  for await (const v of pool.imap(fn, [0, 1, 2, 3, 4])) { assert.equal(v, 0); break }
  assert.equal(await pool.join(1000), true)
  assert.ok(started >= 3 && started <= 4)
  assert.equal(aborted.length, started - 1) // every item still running was aborted
})

test('imap rethrows an item error to the reader', T, async () => {
  const pool = new TaskPool(2)
  const it = pool.imapUnordered(async (_s, x: number) => { if (x === 2) throw new Error('two'); return x }, [1, 2, 3])
  await assert.rejects(async () => { for await (const _ of it) { /* drain */ } }, /two/)
})

test('kill stops spawned tasks and maps; the pool stays usable', T, async () => {
  const pool = new TaskPool(2)
  const a = pool.spawn((signal) => sleep(60_000, { signal }))
  const queued = pool.spawn(() => 'never')
  const m = pool.map((signal) => sleep(60_000, { signal }), [1, 2])
  const reason = new Error('shutdown')
  await pool.kill(reason)
  await assert.rejects(m, (e) => e === reason)
  assert.equal(a.exception, reason)
  assert.equal(queued.exception, reason)
  assert.equal(pool.running, 0)
  assert.deepEqual(await pool.map((_s, x: number) => x, [1]), [1])
})

test('a killed task keeps its slot until its function returns', T, async () => {
  const pool = new TaskPool(1)
  let release!: () => void
  const t = pool.spawn(() => new Promise<void>((r) => { release = r })) // ignores its signal
  await sleep(1)
  void t.kill()
  assert.equal(t.ready(), true)
  assert.equal(pool.running, 1)
  release()
  assert.equal(await pool.join(1000), true)
})

test('join(timeout) resolves false while busy', T, async () => {
  const pool = new TaskPool(1)
  pool.spawn((signal) => sleep(60_000, { signal }))
  assert.equal(await pool.join(10), false)
  await pool.kill()
  assert.equal(await pool.join(), true)
})

test('size, running and free', T, async () => {
  const pool = new TaskPool(3)
  assert.equal(pool.size, 3)
  const t = pool.spawn((signal) => sleep(5, { signal }))
  assert.equal(pool.running, 1)
  assert.equal(pool.free(), 2)
  await t
  await pool.join()
  assert.equal(pool.running, 0)
  assert.equal(new TaskPool(Infinity).free(), Infinity)
})

test('misuse: bad sizes, non-functions, non-iterables, bad timeouts', T, async () => {
  for (const bad of [0, -1, 1.5, Number.NaN, '4']) {
    assert.throws(() => new TaskPool(bad as number), { name: 'RangeError', message: /size must be a positive integer/ })
  }
  const pool = new TaskPool(2)
  assert.throws(() => pool.spawn(null as never), TypeError)
  await assert.rejects(pool.map(null as never, [1]), TypeError)
  await assert.rejects(pool.map((_s, x) => x, 5 as never), { name: 'TypeError', message: /iterable must be an Iterable/ })
  assert.throws(() => pool.imap('f' as never, []), TypeError)
  assert.throws(() => pool.imapUnordered((_s, x) => x, [1], { maxsize: 0 }), RangeError)
  await assert.rejects(pool.join(-1), RangeError)
})
