// SharedList and Namespace in one thread: the surfaces, copies, update, misuse.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SharedList, Namespace, Lock, Value, spawn, joinAll } from '../../src/index.js'
import { decode, encode } from '../../src/shm/handle.js'

test('SharedList: get, set, push, pop, insert, length, slice, indexOf, clear, iteration, negative indexes', async () => {
  const l = new SharedList<unknown>([1, 'two'])
  assert.equal(l.length, 2)
  assert.equal(await l.push({ three: 3 }, [4]), 4)
  assert.equal(await l.get(-1) instanceof Array, true)
  assert.deepEqual(await l.get(2), { three: 3 })
  await l.set(0, 'one')
  await l.set(-1, new Map([[4, 4]]))
  await l.insert(1, 'between')
  await l.insert(-100, 'first')
  await l.insert(100, 'last')
  assert.deepEqual(await l.toArray(), ['first', 'one', 'between', 'two', { three: 3 }, new Map([[4, 4]]), 'last'])
  assert.deepEqual(await l.slice(1, 3), ['one', 'between'])
  assert.deepEqual(await l.slice(-2), [new Map([[4, 4]]), 'last'])
  assert.equal(await l.indexOf({ three: 3 }), 4)
  assert.equal(await l.indexOf('nope'), -1)
  assert.equal(await l.pop(), 'last')
  const seen: unknown[] = []
  for await (const item of l) seen.push(item)
  assert.equal(seen.length, 6)
  await l.clear()
  assert.equal(l.length, 0)
})

test('SharedList: a read is a copy; another handle sees the same items, shared objects included', async () => {
  const lock = new Lock()
  const l = new SharedList<unknown>()
  await l.push({ n: [1] }, lock)
  const copy = (await l.get(0)) as { n: number[] }
  copy.n.push(2)
  const there = (await decode(await encode(l))) as typeof l
  assert.deepEqual(await there.get(0), { n: [1] })
  const back = (await there.get(1)) as Lock
  await back.acquire()
  assert.equal(lock.locked(), true)
  back.release()
})

test('SharedList.update is atomic between tasks: 10 tasks x 100', async () => {
  const l = new SharedList<number>([0, 100])
  await joinAll(Array.from({ length: 10 }, () => spawn(async () => {
    for (let i = 0; i < 100; i++) {
      await l.update(0, (v) => v + 1)
      if (i % 5 === 0) await new Promise((r) => setImmediate(r))
    }
  })), { raiseError: true })
  assert.deepEqual(await l.toArray(), [1000, 100])
  const v = new Value('i', 1)
  const withValue = new SharedList<unknown>([0])
  await withValue.push(v)
  await withValue.update(1, (old) => { (old as Value<'i'>).value += 1; return old })
  assert.equal(v.value, 2)
})

test('SharedList misuse: out-of-range indexes and pop on empty are RangeErrors; uncloneable items TypeErrors; nothing written', async () => {
  const l = new SharedList<unknown>(['a'])
  await assert.rejects(l.get(1), RangeError)
  await assert.rejects(l.get(-2), RangeError)
  await assert.rejects(l.set(5, 'x'), RangeError)
  await assert.rejects(l.get(0.5), TypeError)
  await assert.rejects(l.push('ok', () => 1), TypeError)
  await assert.rejects(l.set(0, Symbol('s')), TypeError)
  await assert.rejects(l.update(0, async () => 1), /synchronous/)
  assert.deepEqual(await l.toArray(), ['a'], 'nothing written by the failed calls')
  await l.clear()
  await assert.rejects(l.pop(), /empty/)
  assert.throws(() => new SharedList(3 as never), TypeError)
})

test('Namespace: attributes read and write synchronously, delete, in, Object.keys, console.log', async () => {
  const ns = new Namespace<{ a: number; b?: string; when?: Date }>({ a: 1 })
  ns.a += 1
  ns.b = 'bee'
  ns.when = new Date(3)
  assert.equal(ns.a, 2)
  assert.equal('b' in ns, true)
  assert.deepEqual(Object.keys(ns), ['a', 'b', 'when'])
  assert.deepEqual({ ...ns }, { a: 2, b: 'bee', when: new Date(3) })
  delete ns.b
  assert.equal('b' in ns, false)
  assert.equal(ns.b, undefined)
  assert.ok(ns instanceof Namespace)
  const { inspect } = await import('node:util')
  assert.equal(inspect(ns), 'Namespace(a=2, when=1970-01-01T00:00:00.003Z)')
  const there = (await decode(await encode(ns))) as typeof ns
  assert.equal(there.a, 2)
  there.a = 5
  assert.equal(ns.a, 5)
})

test('Namespace misuse: uncloneable values, Values, symbols and `then` are TypeErrors; a namespace is not thenable', async () => {
  const ns = new Namespace<Record<string, unknown>>({ keep: 1 })
  assert.throws(() => { ns.f = () => 1 }, TypeError)
  assert.throws(() => { ns.v = new Value('i', 1) }, /SharedDict/)
  assert.throws(() => { (ns as Record<symbol, unknown>)[Symbol('s')] = 1 }, TypeError)
  assert.throws(() => { ns.then = 1 }, /reserved/)
  assert.throws(() => new Namespace({ then: 1 }), /reserved/)
  assert.throws(() => (Namespace as unknown as () => unknown)(), /new/)
  assert.equal(await Promise.resolve(ns), ns)
  assert.deepEqual(Object.keys(ns), ['keep'])
  ns.lock = new Lock() // a Lock attaches synchronously: fine
  assert.ok(ns.lock instanceof Lock)
})
