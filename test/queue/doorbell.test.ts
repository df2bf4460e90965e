// The doorbell (src/sync/doorbell.ts, native/doorbell.cc): an async reader
// of a shared queue sleeps on its thread's doorbell and a put from another
// process rings it; a ring that reaches nobody falls back to the futex;
// forged rings wake nobody for good.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Event, Process, Queue, QueueEmptyError, RawValue, Thread } from '../../src/index.js'
import { kDescribe } from '../../src/shm/handle.js'
import { Segment, type SegmentDescriptor } from '../../src/shm/segment.js'
import { selfTid } from '../../src/sync/identity.js'
import * as L from '../../src/queue/layout.js'
import { awaitItems, putWithPauses, ringBell, sleepOnSlotWithDeadBell } from '../fixtures/queue-targets.js'
import { readFileSync } from 'node:fs'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const MASK = L.NOT_EMPTY_AT / 4
const BELL = (slot: number) => MASK + 33 + slot * 3 + 2

function words(q: Queue<unknown>): Int32Array {
  const d = (q as unknown as { [kDescribe](): { segment: SegmentDescriptor } })[kDescribe]()
  return Segment.attach(d.segment).i32
}

function bells(w: Int32Array): number[] {
  return Array.from({ length: 31 }, (_, slot) => Atomics.load(w, BELL(slot))).filter((b) => b !== 0)
}

test('an awaited get sleeps on its doorbell, and puts from another process ring it: every item, in order', async () => {
  const q = new Queue<number>()
  const w = words(q as Queue<unknown>)
  const go = new Event()
  const p = new Process({ target: putWithPauses, args: [q, go, 40, 3] })
  await p.start()
  const pending = q.get()
  await sleep(50)
  assert.deepEqual(bells(w), [selfTid], 'the sleeping reader named this thread\'s doorbell in its slot')
  go.set()
  const got = [await pending]
  for (let i = 1; i < 40; i++) got.push(await q.get({ timeout: 30_000 }))
  assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => i))
  await p.join()
  assert.equal(p.exitCode, 0)
  assert.deepEqual(bells(w), [], 'the slot names no doorbell once nobody sleeps')
})

test('a forked child awaiting a get sleeps on a doorbell of its own (bound under its own pid, not the fork server\'s), and the parent\'s puts ring it', async () => {
  const q = new Queue<number>()
  const w = words(q as Queue<unknown>)
  const got = new RawValue('i', 0)
  const p = new Process({ target: awaitItems, args: [q, 20, got] })
  await p.start()
  const name = `@skein-bell-${process.getuid!()}-${p.pid}`
  const bound = (): boolean => readFileSync('/proc/net/unix', 'utf8').split('\n').some((l) => l.endsWith(` ${name}`))
  for (let i = 0; i < 300 && !(bound() && bells(w).includes(p.pid!)); i++) await sleep(20)
  assert.ok(bound(), `the child bound ${name}`)
  assert.deepEqual(bells(w), [p.pid], 'the sleeping child named its own doorbell in its slot')
  for (let i = 0; i < 20; i++) {
    q.putSync(i)
    await sleep(2)
  }
  await p.join(60_000)
  assert.equal(p.exitCode, 0)
  assert.equal(got.value, 20)
})

test('a slot whose doorbell answers nobody is woken through its futex', async () => {
  const q = new Queue<number>()
  const woke = new RawValue('i', 0)
  // A sleeper that only a futex wake can end (no timeout, no backstop), announced in slot 0 with a dead doorbell.
  const t = new Thread({ target: sleepOnSlotWithDeadBell, args: [q, 0, woke] })
  await t.start()
  await sleep(150)
  assert.equal(woke.value, 0, 'it sleeps')
  q.putSync(1) // claims slot 0: the ring reaches nobody, so the futex is woken
  for (let i = 0; i < 5000 && woke.value === 0; i++) await sleep(2)
  assert.equal(woke.value, 1, 'the sleeper woke')
  await t.join()
})

test('forged rings wake the reader only to find nothing: it times out, then takes a real item', async () => {
  const q = new Queue<number>()
  ;(q as unknown as { [kDescribe](): unknown })[kDescribe]() // shared, as a queue passed elsewhere is
  const ringer = new Process({ target: ringBell, args: [selfTid, 2000] })
  const pending = q.get({ timeout: 400 })
  await ringer.start()
  await assert.rejects(pending, QueueEmptyError)
  await ringer.join()
  assert.equal(ringer.exitCode, 0)
  q.putSync(5)
  assert.equal(await q.get({ timeout: 1000 }), 5)
})

test('a put by the thread that awaits on a shared queue wakes its own doorbell sleep', async () => {
  const q = new Queue<number>()
  ;(q as unknown as { [kDescribe](): unknown })[kDescribe]()
  for (let i = 0; i < 20; i++) {
    const pending = q.get({ timeout: 10_000 })
    await sleep(2)
    q.putSync(i)
    assert.equal(await pending, i)
  }
})
