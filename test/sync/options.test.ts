// The shared validation of blocking calls (src/sync/options.ts) and its
// users: a bad options argument or timeout is a clear TypeError/RangeError,
// even when the call would not have had to wait (a free lock, an empty
// JoinableQueue), never silently "wait forever".
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import {
  BoundedSemaphore, Condition, FileLock, JoinableQueue, Lock, Pipe, Process, Queue, RLock, Semaphore, SimpleQueue, Thread,
} from '../../src/index.js'
import { noop } from '../fixtures/targets.js'

const type = (m: RegExp) => ({ name: 'TypeError', message: m })
const range = (m: RegExp) => ({ name: 'RangeError', message: m })

test('acquire: a non-object option, a bad timeout or blocking are errors, also on a free lock, and leave it free', async () => {
  for (const lock of [new Lock(), new RLock(), new Semaphore(1), new BoundedSemaphore(1)]) {
    const name = lock.constructor.name
    await assert.rejects(lock.acquire(5 as never), type(/options must be an object such as \{ timeout: 100 \} \(got 5\)/), name)
    assert.throws(() => lock.acquireSync(5 as never), type(/options must be an object/), name)
    await assert.rejects(lock.acquire(true as never), type(/got true/), name)
    await assert.rejects(lock.acquire({ timeout: 'x' as never }), type(/timeout must be a number of milliseconds \(got "x"\)/), name)
    await assert.rejects(lock.acquire({ timeout: -1 }), range(/non-negative number of milliseconds \(got -1\)/), name)
    await assert.rejects(lock.acquire({ timeout: NaN }), range(/got NaN/), name)
    assert.throws(() => lock.acquireSync({ timeout: -5 }), range(/got -5/), name)
    await assert.rejects(lock.acquire({ blocking: 'no' as never }), type(/options.blocking must be a boolean/), name)
    await assert.rejects(lock.acquire({ signal: 'x' as never }), type(/options.signal must be an AbortSignal/), name)
    await assert.rejects(lock.acquire({ blocking: false, timeout: 5 }), type(/non-blocking call can't take a timeout/), name)
    assert.equal(await lock.acquire({ timeout: 0 }), true, `${name}: still free, and good options still work`)
    lock.release()
  }
  const path = `/tmp/skein-options-${process.pid}.lock`
  const file = new FileLock(path)
  try {
    await assert.rejects(file.acquire(5 as never), type(/options must be an object/))
    await assert.rejects(file.acquire({ timeout: -1 }), RangeError)
  } finally {
    rmSync(path, { force: true })
  }
})

test('new Condition(x) takes only a skein Lock or RLock', () => {
  assert.throws(() => new Condition('x' as never), type(/lock must be a skein Lock or RLock \(got "x"\)/))
  assert.throws(() => new Condition(new Semaphore() as never), type(/got a Semaphore/))
  assert.throws(() => new Condition(null as never), type(/got null/))
  new Condition(new RLock())
  new Condition(new Lock())
})

test('queues and pipes: a non-object option or a negative timeout is an error, never a wait forever', async () => {
  for (const q of [new Queue<number>(), new SimpleQueue<number>()]) {
    await assert.rejects(q.get(-1 as never), type(/options must be an object such as/))
    await assert.rejects(q.get('x' as never), type(/got "x"/))
    assert.throws(() => q.getSync(-1 as never), type(/options must be an object/))
    await assert.rejects(q.get({ timeout: -1 }), range(/got -1/))
  }
  await assert.rejects(new Queue<number>(1).put(1, 5 as never), type(/options must be an object/))
  const jq = new JoinableQueue<number>()
  await assert.rejects(jq.join(-1), range(/got -1/), 'checked even with nothing to wait for')
  assert.throws(() => jq.joinSync(NaN), range(/got NaN/))
  const [rx] = Pipe(false)
  await assert.rejects(rx.recv(5 as never), type(/Connection.recv\(\): options must be an object/))
  assert.throws(() => rx.recvSync(5 as never), type(/Connection.recvSync\(\): options must be an object/))
  await assert.rejects(rx.recv({ timeout: -1 }), range(/got -1/))
})

test('Process and Thread join: NaN, negative and non-number timeouts are errors', async () => {
  for (const Kind of [Process, Thread] as const) {
    const p = new Kind({ target: noop })
    await p.start()
    await assert.rejects(p.join(NaN), range(new RegExp(`${Kind.name}.join\\(timeout\\): .*got NaN`)))
    await assert.rejects(p.join(-1), range(/got -1/))
    await assert.rejects(p.join('5' as never), type(/got "5"/))
    assert.throws(() => p.joinSync(-1), range(/got -1/))
    await p.join(60_000)
    assert.equal(p.exitCode, 0)
  }
})
