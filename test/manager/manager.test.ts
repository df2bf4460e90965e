// The Manager's lifecycle and factories.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  Manager, SharedDict, SharedList, Namespace, Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier,
  Value, SharedArray, Queue, JoinableQueue, SkeinError,
} from '../../src/index.js'

const shutDown = (e: unknown): boolean => e instanceof SkeinError && e.code === 'ERR_SKEIN_MANAGER_SHUT_DOWN' && /shut down/.test(e.message)

test('factories make the right objects once started', async () => {
  const m = new Manager()
  assert.equal(await m.start(), m)
  assert.equal(m.running, true)
  assert.ok(m.dict() instanceof SharedDict)
  assert.ok(m.list() instanceof SharedList)
  assert.ok(m.Namespace() instanceof Namespace)
  assert.ok(m.Lock() instanceof Lock)
  assert.ok(m.RLock() instanceof RLock)
  assert.ok(m.Semaphore(2) instanceof Semaphore)
  assert.ok(m.BoundedSemaphore(2) instanceof BoundedSemaphore)
  assert.ok(m.Condition() instanceof Condition)
  assert.ok(m.Event() instanceof Event)
  assert.ok(m.Barrier(2) instanceof Barrier)
  const v = m.Value('i', 3)
  assert.ok(v instanceof Value)
  assert.equal(v.value, 3)
  const a = m.Array('d', [1.5, 2.5])
  assert.ok(a instanceof SharedArray)
  assert.deepEqual([...a.array], [1.5, 2.5])
  const q = m.Queue<number>(2)
  assert.ok(q instanceof Queue)
  await q.put(1)
  assert.equal(await q.get(), 1)
  assert.ok(m.JoinableQueue() instanceof JoinableQueue)
  assert.deepEqual(await m.dict({ a: 1 }).toMap(), new Map([['a', 1]]))
  assert.deepEqual(await m.list([1, 2]).toArray(), [1, 2])
  assert.equal(m.Namespace({ z: 26 }).z, 26)
  await m.shutdown()
})

test('before start the factories throw, saying to start; starting twice throws', async () => {
  const m = new Manager()
  assert.equal(m.running, false)
  assert.throws(() => m.dict(), /await manager\.start\(\)/)
  assert.throws(() => m.Lock(), /not started/)
  await m.start()
  await assert.rejects(m.start(), /already started/)
  await m.shutdown()
})

test('after shutdown its dicts, lists and namespaces throw ERR_SKEIN_MANAGER_SHUT_DOWN; its primitives keep working', async () => {
  const m = await new Manager().start()
  const d = m.dict<string, number>({ a: 1 })
  const l = m.list([1])
  const ns = m.Namespace({ x: 1 })
  const lock = m.Lock()
  await m.shutdown()
  await m.shutdown() // idempotent
  assert.equal(m.running, false)
  assert.throws(() => d.size, shutDown)
  assert.throws(() => d.has('a'), shutDown)
  await assert.rejects(d.get('a'), shutDown)
  await assert.rejects(d.set('a', 2), shutDown)
  await assert.rejects(d.update('a', (v = 0) => v + 1), shutDown)
  assert.throws(() => l.length, shutDown)
  await assert.rejects(l.push(2), shutDown)
  assert.throws(() => ns.x, shutDown)
  assert.throws(() => { ns.x = 2 }, shutDown)
  assert.throws(() => m.dict(), shutDown)
  await assert.rejects(m.start(), shutDown)
  assert.equal(await lock.acquire(), true, 'a primitive needs no server')
  lock.release()
})

test('await using shuts the manager down at the end of the scope', async () => {
  let d: SharedDict<string, number>
  {
    await using m = await new Manager().start()
    d = m.dict()
    await d.set('k', 1)
  }
  await assert.rejects(d.get('k'), shutDown)
})

test('a dict made outside a Manager never shuts down', async () => {
  const d = new SharedDict<string, number>()
  await d.set('k', 1)
  assert.equal(await d.get('k'), 1)
})

test('misuse: options that are not objects are TypeErrors', async () => {
  const m = await new Manager().start()
  assert.throws(() => m.dict(undefined, 3 as never), TypeError)
  assert.throws(() => m.list(undefined, 'x' as never), TypeError)
  assert.throws(() => m.list(5 as never), TypeError)
  await m.shutdown()
})
