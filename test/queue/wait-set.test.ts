// The queues' wait protocol (src/queue/wait-set.ts) with real threads: a
// put wakes only a reader that announced it sleeps; more sleepers than
// slots still wake; slots held by dead owners are taken over; async waiters
// that time out while items arrive lose none of them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue, Thread, Process, RawValue, QueueEmptyError } from '../../src/index.js'
import { kDescribe } from '../../src/shm/handle.js'
import { Segment, type SegmentDescriptor } from '../../src/shm/segment.js'
import { owner } from '../../src/sync/identity.js'
import * as L from '../../src/queue/layout.js'
import { OWNER as WAIT_OWNER } from '../../src/queue/wait-set.js'
import { getThenBusy, putSlowly, produceSync } from '../fixtures/queue-targets.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const MASK = L.NOT_EMPTY_AT / 4
const OWNER = MASK + WAIT_OWNER
const SEQ = (slot: number) => MASK + 33 + slot * 3

function words(q: Queue<unknown>): Int32Array {
  const d = (q as unknown as { [kDescribe](): { segment: SegmentDescriptor } })[kDescribe]()
  return Segment.attach(d.segment).i32
}

/** The sum of every slot's sequence word: it moves once per wake-up issued. */
function wakes(w: Int32Array): number {
  let n = 0
  for (let slot = 0; slot < 32; slot++) n += Atomics.load(w, SEQ(slot))
  return n
}

test('a put wakes a reader only when it announced that it sleeps: puts while it is busy make no wake', async () => {
  const q = new Queue<number>()
  const w = words(q as Queue<unknown>)
  const got = new RawValue('i', 0)
  const t = new Thread({ target: getThenBusy, args: [q, 400, 100, got] })
  await t.start()
  await sleep(150) // it is asleep in getSync by now (or about to be: the put below finds it either way)
  const before = wakes(w)
  q.putSync(1)
  while (Atomics.load(got.array, 0) === 0) await sleep(1)
  const afterFirst = wakes(w)
  assert.ok(afterFirst - before <= 1, `one put woke ${afterFirst - before} times`)
  for (let i = 0; i < 100; i++) q.putSync(i) // the reader is busy: nobody announced
  assert.equal(wakes(w), afterFirst, 'no wake-up was issued while the reader was busy')
  await t.join()
  assert.equal(got.value, 2)
})

test('more sleepers than slots: with every slot held, a waiter sleeps in the overflow slot and is still woken', async () => {
  const q = new Queue<number>()
  const w = words(q as Queue<unknown>)
  for (let slot = 0; slot < 31; slot++) Atomics.store(w, OWNER + slot, owner.id) // held, by a live owner
  const got = new RawValue('i', 0)
  const t = new Thread({ target: getThenBusy, args: [q, 0, 0, got] })
  await t.start()
  await sleep(150)
  q.putSync(7)
  for (let i = 0; i < 5000 && got.value === 0; i++) await sleep(2)
  assert.equal(got.value, 2, 'the overflow sleeper woke')
  await t.join()
  for (let slot = 0; slot < 31; slot++) Atomics.store(w, OWNER + slot, 0)
})

test('slots held by owners that died are taken over', async () => {
  const q = new Queue<number>()
  const w = words(q as Queue<unknown>)
  const p = new Process({ target: produceSync, args: [new Queue<number>(), 0, 0] })
  await p.start()
  const dead = p.pid!
  await p.join()
  for (let slot = 0; slot < 31; slot++) Atomics.store(w, OWNER + slot, dead)
  Atomics.store(w, MASK, 0x7fffffff) // and their announcements
  const got = new RawValue('i', 0)
  const t = new Thread({ target: getThenBusy, args: [q, 0, 0, got] })
  await t.start()
  await sleep(150)
  q.putSync(1)
  for (let i = 0; i < 5000 && got.value === 0; i++) await sleep(2)
  assert.equal(got.value, 2)
  await t.join()
  let held = 0
  for (let slot = 0; slot < 31; slot++) if (Atomics.load(w, OWNER + slot) === dead) held++
  assert.ok(held < 31, 'a dead owner\'s slot was taken over')
})

test('async readers that keep timing out while a thread puts lose no item and get none twice', async () => {
  const N = 3000
  const q = new Queue<number>()
  const t = new Thread({ target: putSlowly, args: [q, N] })
  await t.start()
  const seen: number[] = []
  let done = false
  const reader = async () => {
    while (!done) {
      try {
        seen.push(await q.get({ timeout: Math.random() * 3 }))
      } catch (e) {
        assert.ok(e instanceof QueueEmptyError, String(e))
      }
    }
  }
  const readers = Array.from({ length: 12 }, reader)
  while (seen.length < N && t.isAlive()) await sleep(5)
  await t.join()
  for (let i = 0; i < 1000 && seen.length < N; i++) await sleep(5)
  done = true
  await Promise.all(readers)
  for (;;) {
    try {
      seen.push(q.getNowait())
    } catch {
      break
    }
  }
  assert.equal(seen.length, N)
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i))
})

test("queueState reads a queue's depth and waiters from a copy of its header (what skein top reads)", async () => {
  const { queueState } = await import('../../src/queue/inspect.js')
  const { LifoQueue } = await import('../../src/index.js')
  for (const q of [new Queue<number>(5), new LifoQueue<number>(5)]) {
    q.putNowait(1)
    q.putNowait(2)
    const header = Buffer.from(words(q as Queue<unknown>).buffer.slice(0, L.HEADER_BYTES))
    assert.deepEqual(queueState(header), { size: 2, maxsize: 5, closed: false, getters: 0, putters: 0 })
  }
  const q = new Queue<number>()
  const w = words(q as Queue<unknown>)
  const got = new RawValue('i', 0)
  const t = new Thread({ target: getThenBusy, args: [q, 0, 0, got] })
  await t.start()
  for (let i = 0; i < 5000 && queueState(Buffer.from(w.buffer.slice(0, L.HEADER_BYTES)))!.getters === 0; i++) await sleep(2)
  assert.equal(queueState(Buffer.from(w.buffer.slice(0, L.HEADER_BYTES)))!.getters, 1, 'the blocked reader shows')
  q.putNowait(1)
  await t.join()
})
