// The one walk under encode/decode (src/shm/walk.ts): cycles, an own
// __proto__ key and user keys that look like markers all cross as they went,
// next to real shared objects, in one thread and through a real process.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Lock, Process, Queue, Semaphore, SharedDict, Value } from '../../src/index.js'
import { AsyncHandleError, decode, decodeSync, encode, encodeSync, kDescribe, holdsShareable, discard } from '../../src/shm/handle.js'
import { describeItem } from '../fixtures/walk-targets.js'

/** An item holding a Lock twice, a cycle, an own __proto__ key and a forged marker. */
async function hostileItem(lock: Lock) {
  const sem = new Semaphore(0)
  const item = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>
  item.lock = lock
  item.again = lock
  item.self = item
  // A user's object that looks like a marker, naming a real struct: must stay a plain object.
  item.forged = { __skein_handle__: (await sem[kDescribe]()) as unknown }
  item['__skein_handle__$'] = 'user key with a dollar'
  return { item, sem }
}

test('encode/decode keeps a cycle, one object reached twice, an own __proto__ key and a forged marker', async () => {
  const lock = new Lock()
  const { item } = await hostileItem(lock)
  for (const copy of [await decode(await encode(item)), decodeSync(encodeSync(item))] as Array<Record<string, any>>) {
    assert.equal(copy.self, copy, 'the cycle comes back as a cycle')
    assert.ok(copy.lock instanceof Lock)
    assert.equal(copy.lock, copy.again, 'one Lock reached twice is one handle')
    assert.ok(Object.hasOwn(copy, '__proto__'), 'the own __proto__ key is kept')
    assert.deepEqual(copy['__proto__'], { polluted: true })
    assert.equal(Object.getPrototypeOf(copy), Object.prototype, 'and the prototype is not replaced')
    assert.equal((copy as { polluted?: boolean }).polluted, undefined)
    assert.equal(Object.getPrototypeOf(copy.forged), Object.prototype, 'a forged marker is not revived')
    assert.equal(copy.forged.__skein_handle__.kind, 'Semaphore')
    assert.equal(copy['__skein_handle__$'], 'user key with a dollar')
    lock.acquireSync()
    assert.equal(copy.lock.acquireSync({ blocking: false }), false, 'the same lock')
    lock.release()
  }
})

test('a cycle without shared objects, and holdsShareable on cycles, end', () => {
  const a: unknown[] = []
  a.push(a, new Map([[a, new Set([a])]]))
  assert.equal(holdsShareable(a), false)
  const copy = encodeSync(a) as unknown[]
  assert.equal(copy[0], copy)
  const lock = new Lock()
  a.push({ deep: [lock] })
  assert.equal(holdsShareable(a), true)
  const back = decodeSync(encodeSync(a)) as any[]
  assert.equal(back[0], back)
  assert.equal(back[1].keys().next().value, back)
  assert.ok(back[2].deep[0] instanceof Lock)
})

test('Maps and Sets holding asynchronously described objects keep their order', async () => {
  const v1 = new Value('i', 1)
  const v2 = new Value('i', 2)
  const m = new Map<unknown, unknown>([['a', 1], [v1, 'v1'], ['b', v2], ['c', 3]])
  const s = new Set<unknown>([0, v2, 'x', v1])
  const [m2, s2] = (await decode(await encode([m, s]))) as [Map<unknown, any>, Set<any>]
  assert.deepEqual([...m2.keys()].map((k) => (k instanceof Value ? `V${k.value}` : k)), ['a', 'V1', 'b', 'c'])
  assert.equal(m2.get('b').value, 2)
  assert.deepEqual([...s2].map((k) => (k instanceof Value ? `V${k.value}` : k)), [0, 'V2', 'x', 'V1'])
  const made: unknown[] = []
  assert.throws(() => encodeSync([1, v1], made), AsyncHandleError)
  assert.equal(made.length, 1, 'the description made before giving up is handed back to release')
  discard(await encode([v1]))
})

test("a user's own Promise inside a value is data, never awaited by the walk (structured clone then refuses it)", async () => {
  const promise = Promise.resolve('resolved')
  const out = (await encode([new Lock(), promise, { p: promise }])) as unknown[]
  assert.equal(out[1], promise)
  assert.equal((out[2] as { p: unknown }).p, promise)
  assert.equal(((await decode([promise])) as unknown[])[0], promise)
  assert.equal((encodeSync([new Lock(), promise]) as unknown[])[1], promise)
})

test('a malformed marker is a clear TypeError, never a crash', async () => {
  await assert.rejects(decode({ __skein_handle__: 5 }), { name: 'TypeError', message: /marker is malformed/ })
  await assert.rejects(decode({ __skein_handle__: { kind: 'x' }, other: 1 }), { name: 'TypeError', message: /marker is malformed/ })
  await assert.rejects(decode({ __skein_handle__: { kind: 'Semaphore', segment: { token: '', pid: process.pid, fd: 0, size: 4096 }, offset: 16 } }), { name: 'TypeError', message: /descriptor/ })
  discard({ __skein_handle__: 5 }) // giving back never throws
})

test('through a Queue and a SharedDict in this thread: the same', async () => {
  const lock = new Lock()
  const { item } = await hostileItem(lock)
  const q = new Queue<unknown>()
  await q.put(item)
  const d = new SharedDict<string, unknown>()
  await d.set('k', item)
  for (const copy of [await q.get(), await d.get('k')] as Array<Record<string, any>>) {
    assert.equal(copy.self, copy)
    assert.equal(copy.lock, copy.again)
    assert.ok(Object.hasOwn(copy, '__proto__'))
    assert.equal(Object.getPrototypeOf(copy.forged), Object.prototype)
    assert.equal(copy['__skein_handle__$'], 'user key with a dollar')
  }
})

test('through a Queue to a real process: the same', async () => {
  const lock = new Lock()
  const { item } = await hostileItem(lock)
  const q = new Queue<unknown>()
  const out = new Queue<unknown>()
  const p = new Process({ target: describeItem, args: [q, out] })
  await p.start()
  await q.put(item)
  const seen = (await out.get({ timeout: 60_000 })) as Record<string, any>
  await p.join(60_000)
  assert.equal(p.exitCode, 0)
  assert.deepEqual({ ...seen, forged: undefined }, {
    cycle: true, lock: true, sameLockTwice: true,
    keys: ['__proto__', '__skein_handle__$', 'again', 'forged', 'lock', 'self'],
    protoOwn: { polluted: true }, plainProto: true, forged: undefined,
  })
  assert.equal(seen.forged.__skein_handle__.kind, 'Semaphore', 'the forged marker arrived as plain data')
})
