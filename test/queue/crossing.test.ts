// Queues and pipes between real processes and threads.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  Process, Thread, Queue, JoinableQueue, Pipe, Value, EOFError, LifoQueue, PriorityQueue,
} from '../../src/index.js'
import { produce, produceSync, consumeUntil, consumeForever, replyThrough, echoDoubled, sendAndLeave, putPatterned, patternByte } from '../fixtures/queue-targets.js'
import { KERNEL_COPY_FROM } from '../../src/queue/codec.js'

test('IPC between two child processes: a producer and a consumer ended by a sentinel', async () => {
  const q = new Queue<number | null>(16)
  const sum = new Value('d', 0)
  const count = new Value('i', 0)
  const producer = new Process({ target: produce, args: [q, 1, 1001] })
  const consumer = new Process({ target: consumeUntil, args: [q, sum, count] })
  await consumer.start()
  await producer.start()
  await producer.join(60_000)
  await q.put(null)
  await consumer.join(60_000)
  assert.deepEqual([producer.exitCode, consumer.exitCode], [0, 0])
  assert.equal(count.value, 1000)
  assert.equal(sum.value, 500500)
  assert.equal(q.empty(), true)
})

test('two producers (a process and a thread) and two consumers (a thread and this task), sentinels at the end', async () => {
  const q = new Queue<number | null>(8)
  const sum = new Value('d', 0)
  const count = new Value('i', 0)
  const p = new Process({ target: produceSync, args: [q, 0, 500] })
  const t = new Thread({ target: produce, args: [q, 500, 1000] })
  const c = new Thread({ target: consumeUntil, args: [q, sum, count] })
  await c.start()
  await p.start()
  await t.start()
  const mine = consumeUntil(q, sum, count)
  await p.join(60_000)
  await t.join(60_000)
  await q.put(null)
  await q.put(null)
  await c.join(60_000)
  await mine
  assert.equal(count.value, 1000)
  assert.equal(sum.value, (999 * 1000) / 2)
})

test('JoinableQueue: three producer processes, one daemon consumer process; the parent ends on join()', async () => {
  const q = new JoinableQueue<number>()
  const sum = new Value('d', 0)
  const consumer = new Process({ target: consumeForever, args: [q, sum], daemon: true })
  await consumer.start()
  const producers = [0, 1, 2].map((k) => new Process({ target: produce, args: [q, k * 100, k * 100 + 100] }))
  for (const p of producers) await p.start()
  for (const p of producers) await p.join(60_000)
  assert.equal(await q.join(60_000), true)
  assert.equal(sum.value, (299 * 300) / 2)
  assert.equal(consumer.isAlive(), true, 'the daemon consumer still waits for more')
  consumer.terminate()
  await consumer.join(30_000)
})

test('a queue sent through another queue to a process is the same queue', async () => {
  const inbox = new Queue<Queue<string>>()
  const reply = new Queue<string>()
  const p = new Process({ target: replyThrough, args: [inbox] })
  await p.start()
  await inbox.put(reply)
  assert.equal(await reply.get({ timeout: 60_000 }), `hello from ${p.pid}`)
  await p.join(60_000)
  assert.equal(p.exitCode, 0)
})

test('LifoQueue and PriorityQueue between threads keep their order', async () => {
  const stack = new LifoQueue<number>()
  const prio = new PriorityQueue<number>()
  const t = new Thread({ target: produce, args: [stack, 0, 5] })
  await t.start()
  await t.join(60_000)
  assert.deepEqual([4, 3, 2, 1, 0].map(() => stack.getNowait()), [4, 3, 2, 1, 0])
  for (const n of [5, 1, 4]) prio.putNowait([n, n * 10])
  const u = new Thread({ target: produce, args: [prio as never, 0, 0] })
  await u.start()
  await u.join(60_000)
  assert.deepEqual([prio.getNowait(), prio.getNowait(), prio.getNowait()], [[1, 10], [4, 40], [5, 50]])
})

test('pipe ping-pong with a child process; the child end moved there (closed here)', async () => {
  const [here, there] = Pipe<number>()
  const p = new Process({ target: echoDoubled, args: [there] })
  await p.start()
  assert.equal(there.closed, true, 'the end sent to the child is closed in the parent')
  assert.throws(() => there.send(1), TypeError)
  for (let i = 1; i <= 100; i++) {
    here.send(i)
    assert.equal(await here.recv({ timeout: 60_000 }), i * 2)
  }
  here.close()
  await p.join(60_000)
  assert.equal(p.exitCode, 0)
})

test('recv throws EOFError once a child that held the other end exited without closing it, after draining', async () => {
  const [here, there] = Pipe<string>(false)
  const p = new Process({ target: sendAndLeave, args: [there, 3] })
  await p.start()
  await p.join(60_000)
  assert.deepEqual([await here.recv(), await here.recv(), here.recvSync()], ['m0', 'm1', 'm2'])
  await assert.rejects(here.recv({ timeout: 60_000 }), EOFError)
  assert.equal(await here.poll(), true, 'poll says a recv would not wait (it would throw EOFError)')
})

test('recv throws EOFError once a thread that held the other end returned without closing it (its worker may be reused)', async () => {
  const [here, there] = Pipe<string>(false)
  const t = new Thread({ target: sendAndLeave, args: [there, 2] })
  await t.start()
  await t.join(60_000)
  assert.deepEqual([await here.recv(), await here.recv()], ['m0', 'm1'])
  await assert.rejects(here.recv({ timeout: 60_000 }), EOFError)
})

test('a pipe to a thread: bytes and values, then EOF when the thread closes its end', async () => {
  const [here, there] = Pipe<number>()
  const t = new Thread({ target: echoDoubled, args: [there] })
  await t.start()
  here.send(21)
  assert.equal(await here.recv(), 42)
  here.close()
  await t.join(60_000)
  const [a, b] = Pipe<never>()
  a.sendBytes(Buffer.from('hello world'), 6, 5)
  assert.equal((await b.recvBytes()).toString(), 'world')
  a.send('text' as never)
  assert.equal(b.recvBytesSync().toString(), 'text')
  a.sendBytes(Buffer.alloc(10))
  await assert.rejects(b.recvBytes(5), RangeError)
  assert.equal(await b.poll(10), false)
  b.close()
  assert.throws(() => a.send(1 as never), EOFError)
})

// Large payloads go through the segment's memfd (pread/pwrite), smaller ones
// through the mapping: items on both sides of the threshold, at odd sizes
// and offsets, cross a process byte for byte, far enough (~40 MiB) that
// the ring gives pages back behind the reader and fills fresh ones.
test('large items around the kernel-copy threshold cross processes byte for byte (Queue, LifoQueue, Pipe)', async () => {
  const sizes = [KERNEL_COPY_FROM - 1, KERNEL_COPY_FROM, KERNEL_COPY_FROM + 1, (1 << 20) + 3, (3 << 20) + 5, 100]
  const n = 24
  const check = (i: number, item: unknown): void => {
    const size = sizes[i % sizes.length]!
    if (i % 3 === 2) {
      assert.ok(item instanceof Float64Array, `item ${i} is a Float64Array`)
      assert.equal(item.length, Math.ceil(size / 8))
      for (let k = 0; k < item.length; k++) if (item[k] !== i * 1e6 + k) assert.fail(`item ${i}: float ${k} is ${item[k]}`)
      return
    }
    assert.ok(item instanceof Uint8Array, `item ${i} is bytes`)
    assert.equal(Buffer.isBuffer(item), i % 3 === 0, `item ${i} keeps its kind`)
    assert.equal(item.byteLength, size)
    for (let j = 0; j < size; j++) if (item[j] !== patternByte(i, j)) assert.fail(`item ${i}: byte ${j} is ${item[j]}`)
  }
  for (const q of [new Queue<unknown>(), new LifoQueue<unknown>(0, { capacity: 64 << 20 })]) {
    const p = new Process({ target: putPatterned, args: [q, sizes, n] })
    await p.start()
    await p.join(60_000)
    assert.equal(p.exitCode, 0)
    const got: unknown[] = []
    for (let i = 0; i < n; i++) got.push(await q.get())
    if (q instanceof LifoQueue) got.reverse()
    got.forEach((item, i) => check(i, item))
  }
  const [rx, tx] = Pipe<unknown>(false)
  const p = new Process({ target: putPatterned, args: [tx, sizes, n] })
  await p.start()
  for (let i = 0; i < n; i++) check(i, await rx.recv())
  await p.join(60_000)
  assert.equal(p.exitCode, 0)
})
