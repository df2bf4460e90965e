// Bad bytes in a real queue segment: every length, offset, tag and selector
// read from shared memory is checked before use. A failed check throws a
// QueueCorruptError naming the queue: no endless loop (a priority frame of
// length -24 once spun for ever holding the lock), no read out of bounds, no
// crash; and the lock is released, so the next call does not hang either.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue, PriorityQueue, LifoQueue, Pipe, Process, RawValue, QueueCorruptError, type Connection } from '../../src/index.js'
import { takeCorrupt } from '../fixtures/queue-targets.js'
import { kDescribe } from '../../src/shm/handle.js'
import { Segment, type SegmentDescriptor } from '../../src/shm/segment.js'
import { attachRing } from '../../src/queue/ring.js'
import * as L from '../../src/queue/layout.js'

/** The queue's segment words, as another program writing into it would see them. */
function wordsOf(q: object): Int32Array {
  const d = (q as { [kDescribe](): { segment: SegmentDescriptor } })[kDescribe]()
  return Segment.attach(d.segment).i32
}

function pipeWords(end: Connection<unknown>): Int32Array {
  const d = (end as unknown as { [kDescribe](): { rx: SegmentDescriptor | null; tx: SegmentDescriptor | null } })[kDescribe]()
  return Segment.attach((d.rx ?? d.tx)!).i32
}

/** Int32 index of the first FIFO frame (a fresh ring puts it at offset 0). */
const FRAME = L.HEADER_BYTES / 4

const corrupt = (name: string) => (e: unknown) => e instanceof QueueCorruptError && e.code === 'ERR_SKEIN_QUEUE_CORRUPT' && e.queue === name && /corrupt/.test(e.message)

test('FIFO frames: a negative, huge or misfit length, or an unknown tag, is a QueueCorruptError, and the next call does not hang', async () => {
  for (const [what, poke] of [
    ['length -24', (w: Int32Array) => { w[FRAME] = -24 }],
    ['length 2^30', (w: Int32Array) => { w[FRAME] = 2 ** 30 }],
    ['length past the tail', (w: Int32Array) => { w[FRAME] = 4000 }],
    ['a number frame of 3 bytes', (w: Int32Array) => { w[FRAME] = 3 }],
    ['tag 99', (w: Int32Array) => { w[FRAME + 1] = 99 }],
    ['tag -1', (w: Int32Array) => { w[FRAME + 1] = -1 }],
  ] as const) {
    const q = new Queue<number>()
    q.putNowait(1)
    q.putNowait(2)
    poke(wordsOf(q))
    assert.throws(() => q.getNowait(), corrupt('Queue'), what)
    await assert.rejects(q.get({ timeout: 1000 }), corrupt('Queue'), what)
    assert.throws(() => q.getSync({ timeout: 1000 }), corrupt('Queue'), what)
    q.putNowait(3) // the put side is intact, and the take lock was released
  }
})

test('FIFO counts and positions: more takes than puts, a selector that is not 0 or 1, impossible gaps', () => {
  const cases: Array<[string, (w: Int32Array) => void, 'get' | 'put']> = [
    ['puts behind takes', (w) => { Atomics.store(w, L.PUB_PUTS, -5); Atomics.store(w, L.TAKE_KNOWN_PUTS, -5) }, 'get'],
    ['take selector 7', (w) => { Atomics.store(w, L.TAKE_SELECTOR, 7) }, 'get'],
    ['put selector 2', (w) => { Atomics.store(w, L.PUT_SELECTOR, 2) }, 'put'],
    ['five gaps ahead', (w) => { Atomics.store(w, L.PUB_GAPS, 5) }, 'get'],
    ['more bytes taken than put', (w) => { Atomics.store(w, L.PUB_TAKEN, 1 << 30); Atomics.store(w, L.PUT_KNOWN_TAKEN, 1 << 30) }, 'put'],
    ['more items than maxsize', (w) => { Atomics.store(w, L.PUB_TAKES, -100); Atomics.store(w, L.PUT_KNOWN_TAKES, -100) }, 'put'],
  ]
  for (const [what, poke, op] of cases) {
    const q = new Queue<number>(10)
    q.putNowait(1)
    poke(wordsOf(q))
    if (op === 'get') assert.throws(() => q.getNowait(), corrupt('Queue'), what)
    else assert.throws(() => q.putNowait(2), corrupt('Queue'), what)
  }
})

test('the header is checked when a queue is attached', () => {
  for (const [what, index, value] of [
    ['order 9', L.ORDER, 9],
    ['a ring that is not a power of two', L.RING_BYTES, 3 << 20],
    ['a ring past the segment', L.RING_BYTES, 1 << 30],
    ['capacity larger than half the ring', L.CAPACITY, 1 << 30],
    ['the ring elsewhere', L.RING_AT, 12],
  ] as const) {
    const q = new Queue<number>(0, { capacity: 1 << 20 })
    const d = (q as unknown as { [kDescribe](): { segment: SegmentDescriptor } })[kDescribe]()
    const segment = Segment.attach(d.segment)
    segment.i32[index] = value
    assert.throws(() => attachRing(segment, 'Queue'), corrupt('Queue'), what)
  }
})

test("PriorityQueue: a frame of length -24 (the old endless loop under the lock) and a heap entry out of the ring", async () => {
  const q = new PriorityQueue<string>()
  q.putNowait([2, 'b'])
  q.putNowait([1, 'a'])
  const w = wordsOf(q)
  const ring = L.HEAP_AT / 4 + Math.ceil(w[L.HEAP_CAP]! * 4 / L.PAGE) * (L.PAGE / 4) // the ring follows the heap
  assert.equal(ring * 4, w[L.RING_AT])
  w[ring] = -24 // the first frame: [2, 'b']
  // In a child, so a regression that spins for ever fails here in seconds, not at the runner's timeout.
  const outcome = new RawValue('i', 0)
  const p = new Process({ target: takeCorrupt, args: [q, outcome] })
  await p.start()
  await p.join(30_000)
  if (p.isAlive()) p.kill()
  assert.equal(outcome.value, 1, 'the child got a QueueCorruptError (1), not another error (2), nothing (3) or an endless loop (0)')
  assert.equal(p.exitCode, 0)
  const done = q.get({ timeout: 200 }).catch((e: unknown) => e)
  assert.ok(corrupt('PriorityQueue')(await done), 'a later get fails the same way, it does not spin')

  const h = new PriorityQueue<string>()
  h.putNowait([1, 'x'])
  h.putNowait([2, 'y'])
  wordsOf(h)[L.HEAP_AT / 4] = 1 << 30
  assert.throws(() => h.getNowait(), corrupt('PriorityQueue'))
})

test('LifoQueue: a top of stack outside the ring', () => {
  const q = new LifoQueue<number>()
  q.putNowait(1)
  const w = wordsOf(q)
  const f64 = new Float64Array(w.buffer)
  const sel = Atomics.load(w, L.SELECTOR)
  f64[L.STATE_AT + sel * L.STATE_WORDS + L.TOP] = 2 ** 40
  assert.throws(() => q.getNowait(), corrupt('LifoQueue'))
  assert.throws(() => q.putNowait(2), corrupt('LifoQueue'))
})

test('a JSON item whose text was overwritten is a QueueCorruptError, not a SyntaxError', async () => {
  const q = new Queue<object>()
  q.putNowait({ a: 1 })
  q.putNowait({ b: 2 })
  const w = wordsOf(q)
  new Uint8Array(w.buffer)[(FRAME + 2) * 4] = 0x7b + 1 // '{' → '|'
  assert.throws(() => q.getNowait(), corrupt('Queue'))
  assert.deepEqual(await q.get(), { b: 2 })
})

test('a pipe: a bad frame is a QueueCorruptError from recv, recvSync and poll does not hang', async () => {
  const [rx, tx] = Pipe<number>(false)
  tx.send(1)
  tx.send(2)
  // Describing an end moves it: take the words through the sending end, then rebuild.
  const w = pipeWords(tx as Connection<unknown>)
  w[FRAME] = -8
  assert.throws(() => rx.recvSync({ timeout: 100 }), corrupt('Pipe'))
  await assert.rejects(rx.recv({ timeout: 100 }), corrupt('Pipe'))
})
