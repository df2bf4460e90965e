/**
 * Queues, pipes and pools in the registry: depths, who waits to get or put,
 * pool workers busy and idle, backlog, tasks done and failed — and the
 * errors of a timed-out get/put that say who else holds the queue.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Event, Pipe, Queue, QueueEmptyError, QueueFullError, Thread, ThreadPool, snapshot } from '../../src/index.js'
import type { ProcessSnapshot } from '../../src/index.js'
import { eventually } from '../helpers/program.js'
import { double, fail, takeOne, waitFor } from '../fixtures/observe-targets.js'

const here = (): ProcessSnapshot => snapshot({ pid: process.pid }).processes.find((p) => p.pid === process.pid)!

test('queues and pipe directions show their depth and who waits on them', async () => {
  const jobs = new Queue<number>(10, { name: 'jobs' })
  jobs.putNowait(1)
  jobs.putNowait(2)
  jobs.putNowait(3)
  const [a, b] = Pipe<string>(true, { name: 'chat' })
  a.send('hello')
  const empty = new Queue<number>(0, { name: 'nothing-yet' })
  const t = new Thread({ target: takeOne, args: [empty], name: 'taker' })
  await t.start()
  const p = await eventually('the taker asleep on its get', () => {
    const now = here()
    return now.queues.find((q) => q.name === 'nothing-yet')?.getters === 1 ? now : undefined
  })
  assert.deepEqual(p.queues.find((q) => q.name === 'jobs'), { kind: 'Queue', name: 'jobs', size: 3, maxsize: 10, closed: false, getters: 0, putters: 0 })
  assert.equal(p.queues.find((q) => q.name === 'chat 0→1')?.size, 1)
  assert.equal(p.queues.find((q) => q.name === 'chat 1→0')?.size, 0)
  const taker = p.threads.find((x) => x.name === 'taker')!
  assert.deepEqual(taker.waits.map((w) => [w.kind, w.name, w.op, w.form]), [['Queue', 'nothing-yet', 'get', 'sync']])
  empty.putNowait(7)
  await t.join()
  a.close()
  b.close()
})

test('a timed-out get or put says who else holds the queue and who waits', async () => {
  const q = new Queue<number>(1, { name: 'mailbox' })
  await assert.rejects(q.get({ timeout: 50 }), (e: unknown) => e instanceof QueueEmptyError && /^Queue "mailbox"\.get\(\): nothing arrived before the timeout; no other thread or process holds it; 0 wait to get, 0 to put\. /.test(e.message))
  q.putNowait(1)
  assert.throws(() => q.putSync(2, { timeout: 50 }), (e: unknown) => e instanceof QueueFullError && /^Queue "mailbox"\.put\(\): the queue stayed full \(1 items\) until the timeout/.test(e.message))
})

test('a pool shows its workers, busy and idle, backlog, tasks done and failed', async () => {
  const pool = new ThreadPool({ threads: 2, name: 'crunchers' })
  assert.deepEqual(await pool.map(double, [1, 2, 3]), [2, 4, 6])
  await assert.rejects(pool.apply(fail, []), /fails on purpose/)
  const gate = new Event()
  const waiting = pool.apply(waitFor, [gate])
  try {
    const seen = await eventually('the pool with one busy worker', () => {
      const info = here().pools.find((x) => x.name === 'crunchers')
      return info?.busy === 1 && info.done >= 1 && info.failed === 1 ? info : undefined
    })
    assert.deepEqual({ ...seen, done: seen.done > 0 }, { kind: 'ThreadPool', name: 'crunchers', workers: 2, busy: 1, idle: 1, backlog: 0, done: true, failed: 1 })
    assert.ok(here().threads.filter((x) => x.role === 'pool worker').length >= 2)
  } finally {
    gate.set()
  }
  assert.equal(await waiting, 'released')
  pool.close()
  await pool.join()
  assert.equal(here().pools.find((x) => x.name === 'crunchers'), undefined, 'gone once joined')
})
