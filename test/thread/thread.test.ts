import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Server, Socket } from 'node:net'
import { Thread, Timer, activeCount, enumerate, currentThread, mainThread, isMainThread } from '../../src/thread/index.js'
import { add, checkName, hold, ring, spin } from '../fixtures/thread-targets.js'
import { runScript } from '../fixtures/script.js'

test('values cross through shared memory with Atomics', async () => {
  const cells = new Int32Array(new SharedArrayBuffer(8))
  const threads = [1, 2, 3, 4].map((n) => new Thread({ target: add, args: [cells, n, 1000] }))
  for (const t of threads) await t.start()
  for (const t of threads) await t.join()
  assert.equal(cells[0], 10_000)
  assert.ok(threads.every((t) => !t.isAlive()))
})

test('currentThread().name inside the thread, ident and nativeId outside', async () => {
  const t = new Thread({ target: checkName, args: ['worker-a'], name: 'worker-a' })
  await t.start()
  assert.equal(typeof t.ident, 'number')
  assert.ok(t.nativeId! > 0 && t.nativeId !== process.pid)
  await t.join()
  assert.equal(t.exitCode, 0)
  assert.equal(currentThread().name, 'MainThread')
  assert.equal(mainThread().name, 'MainThread')
  assert.equal(isMainThread(), true)
  assert.match(new Thread().name, /^Thread-\d+$/)
})

test('activeCount and enumerate include running threads', async () => {
  const gate = new Int32Array(new SharedArrayBuffer(4))
  const t = new Thread({ target: hold, args: [gate] })
  const before = activeCount()
  await t.start()
  assert.equal(activeCount(), before + 1)
  assert.ok(enumerate().includes(t))
  Atomics.store(gate, 0, 1)
  Atomics.notify(gate, 0)
  await t.join()
  assert.equal(activeCount(), before)
})

test('joinSync waits for the target; joinSync(timeout) returns early; a terminated thread unblocks it', async () => {
  const t = new Thread({ target: spin, args: [200] })
  await t.start()
  t.joinSync()
  assert.equal(t.isAlive(), false)
  const long = new Thread({ target: spin, args: [30_000] })
  await long.start()
  long.joinSync(50)
  assert.equal(long.isAlive(), true)
  long.terminate()
  long.joinSync(10_000)
  assert.equal(long.isAlive(), false)
})

test('Timer fires after its interval; cancel() stops it', async () => {
  const cells = new Int32Array(new SharedArrayBuffer(4))
  const fired = new Timer(20, ring, [cells])
  await fired.start()
  await fired.join()
  assert.equal(cells[0], 1)
  const cancelled = new Timer(5_000, ring, [cells])
  await cancelled.start()
  cancelled.cancel()
  await cancelled.join(10_000)
  assert.equal(cancelled.isAlive(), false)
  assert.equal(cells[0], 1)
  assert.throws(() => new Timer(-1, ring), RangeError)
})

test('misuse: start twice, join unstarted, arrow target, socket argument, uncloneable argument', async () => {
  const t = new Thread({ target: spin, args: [10] })
  assert.throws(() => t.join(), /never started/)
  await t.start()
  assert.throws(() => t.start(), /start\(\) called twice/)
  await t.join()
  await assert.rejects(new Thread({ target: () => 1 }).start(), /arrow function/)
  await assert.rejects(new Thread({ target: spin, args: [new Server()] }).start(), /cannot be passed to a thread/)
  await assert.rejects(new Thread({ target: spin, args: [new Socket()] }).start(), /worker threads cannot receive sockets/)
  await assert.rejects(new Thread({ target: spin, args: [Symbol('x')] }).start(), /the 1st argument \(args\[0\]\) is a Symbol\(x\), which can't be cloned into the child/)
})

test('a daemon thread does not keep the process alive', async () => {
  const r = await runScript('daemon-thread.ts', [], 30_000)
  assert.equal(r.signal, null)
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /main done/)
})

test('an unguarded top-level Thread start fails clearly in the thread', async () => {
  const r = await runScript('unguarded-thread.ts', [], 30_000)
  assert.equal(r.signal, null)
  assert.notEqual(r.code, 0)
  assert.match(r.stderr, /still bootstrapping/)
})
