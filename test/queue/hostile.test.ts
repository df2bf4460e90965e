// Careless and hostile values at the queues' boundary: strings that are not
// well-formed UTF-16 come out exactly as they went in, and timeouts and
// options that make no sense are clear errors instead of waits for ever.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue, PriorityQueue, LifoQueue, JoinableQueue, Pipe, Thread } from '../../src/index.js'
import { echoThrough } from '../fixtures/queue-targets.js'

const LONE = ['a\uD800', '\uDBFF', '\uDC00x', 'x\uDFFFy\uD800', '\uD83D\uDE00\uD800', 'ok ✓']

test('lone surrogates come out of Queue, LifoQueue, PriorityQueue and Pipe exactly as they went in', async () => {
  for (const q of [new Queue<unknown>(), new LifoQueue<unknown>()]) {
    for (const s of LONE) {
      q.putNowait(s)
      assert.equal(q.getNowait(), s)
      await q.put({ [s]: s, list: [s] }) // the JSON path
      assert.deepEqual(await q.get(), { [s]: s, list: [s] })
      q.putSync(new Map([[s, s]])) // structured clone
      assert.deepEqual(q.getSync(), new Map([[s, s]]))
    }
  }
  const pq = new PriorityQueue<string>()
  for (const s of LONE) pq.putNowait([1, s])
  for (const s of LONE) assert.deepEqual(pq.getNowait(), [1, s])
  const [rx, tx] = Pipe<unknown>(false)
  for (const s of LONE) tx.send(s)
  for (const s of LONE) assert.equal(rx.recvSync(), s)
  tx.send({ k: 'k\uD800' })
  assert.deepEqual(await rx.recv(), { k: 'k\uD800' })
  // Distinct strings stay distinct (U+FFFD would merge these two).
  const q = new Queue<string>()
  q.putNowait('k\uD800')
  q.putNowait('k\uDBFF')
  assert.notEqual(q.getNowait(), q.getNowait())
})

test('lone surrogates cross to another thread and back unchanged', async () => {
  const there = new Queue<string>()
  const back = new Queue<string>()
  const t = new Thread({ target: echoThrough, args: [there, back, LONE.length] })
  await t.start()
  for (const s of LONE) await there.put(s)
  for (const s of LONE) assert.equal(await back.get({ timeout: 60_000 }), s)
  await t.join()
})

test('a negative or NaN timeout, or options that are not an object, are clear errors, not waits for ever', async () => {
  const q = new JoinableQueue<number>()
  await q.put(1) // join has something to wait for
  const bad = /timeout must be a non-negative number|options must be an object/
  await assert.rejects(q.get(-1 as never), (e: unknown) => e instanceof TypeError && /\{ timeout: 1000 \}/.test((e as Error).message) && /never negative/.test((e as Error).message))
  await assert.rejects(q.get({ timeout: -1 }), (e: unknown) => e instanceof RangeError && bad.test((e as Error).message))
  await assert.rejects(q.get({ timeout: Number.NaN }), RangeError)
  await assert.rejects(q.put(2, { timeout: -5 }), RangeError)
  await assert.rejects(q.put(2, 'soon' as never), TypeError)
  await assert.rejects(q.get({ block: 'yes' as never }), TypeError)
  await assert.rejects(q.get({ signal: {} as never }), TypeError)
  assert.throws(() => q.getSync(-1 as never), TypeError)
  assert.throws(() => q.getSync({ timeout: Number.NaN }), RangeError)
  assert.throws(() => q.putSync(3, { timeout: -1 }), RangeError)
  await assert.rejects(q.join(-1), RangeError)
  assert.throws(() => q.joinSync(Number.NaN), RangeError)
  assert.equal(q.qsize(), 1, 'nothing was put or taken by the refused calls')
  const [a, b] = Pipe<number>()
  await assert.rejects(a.recv({ timeout: -1 }), RangeError)
  await assert.rejects(a.recv(-1 as never), TypeError)
  assert.throws(() => a.recvSync({ timeout: Number.NaN }), RangeError)
  await assert.rejects(a.poll(-1), RangeError)
  assert.throws(() => a.pollSync(Number.NaN), RangeError)
  b.send(5)
  assert.equal(await a.recv({ timeout: 0 }), 5, 'a zero timeout is fine')
})
