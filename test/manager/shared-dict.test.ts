// SharedDict in one thread: the Map-like surface, types, copies, update, misuse.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SharedDict, Lock, Event, Value, spawn, joinAll } from '../../src/index.js'
import { statSync } from 'node:fs'
import { decode, encode, kDescribe } from '../../src/shm/handle.js'

test('the Map-like surface: set, get, has, delete, size, keys, values, entries, clear, iteration', async () => {
  const d = new SharedDict<string, number>([['a', 1]])
  assert.equal(await d.set('b', 2), d)
  assert.equal(d.size, 2)
  assert.equal(d.has('a'), true)
  assert.equal(d.has('zz'), false)
  assert.equal(await d.get('b'), 2)
  assert.equal(await d.get('zz'), undefined)
  assert.deepEqual(d.keys(), ['a', 'b'])
  assert.deepEqual(await d.values(), [1, 2])
  assert.deepEqual(await d.entries(), [['a', 1], ['b', 2]])
  const seen: Array<[string, number]> = []
  for await (const entry of d) seen.push(entry)
  assert.deepEqual(seen, [['a', 1], ['b', 2]])
  await d.set('a', 10) // keeps its place, as in a Map
  assert.deepEqual(await d.toMap(), new Map([['a', 10], ['b', 2]]))
  assert.equal(await d.delete('a'), true)
  assert.equal(await d.delete('a'), false)
  assert.deepEqual(d.keys(), ['b'])
  await d.clear()
  assert.equal(d.size, 0)
  assert.equal(String(d), '[object SharedDict]')
})

test('a plain object or a Map initialises it', async () => {
  assert.deepEqual(await new SharedDict({ x: 1, y: 'two' }).toMap(), new Map<string, unknown>([['x', 1], ['y', 'two']]))
  assert.deepEqual(await new SharedDict(new Map([[1, 'one']])).toMap(), new Map([[1, 'one']]))
})

test('keys keep their types: 1, "1", 1n and true are four keys', async () => {
  const d = new SharedDict<string | number | bigint | boolean, string>()
  await d.set(1, 'number')
  await d.set('1', 'string')
  await d.set(1n, 'bigint')
  await d.set(true, 'boolean')
  assert.equal(d.size, 4)
  assert.deepEqual(d.keys(), [1, '1', 1n, true])
  assert.equal(await d.get(1n), 'bigint')
  const there = (await decode(await encode(d))) as typeof d
  assert.equal(await there.get(1), 'number')
  assert.equal(await there.get('1'), 'string')
})

test('values keep their types: Map, Set, Date, BigInt, typed arrays, nested objects, undefined, null, NaN', async () => {
  const sample = {
    map: new Map<unknown, unknown>([[1, 'a'], ['k', new Set([1n, 2n])]]),
    set: new Set(['x']),
    date: new Date(1_700_000_000_000),
    big: 2n ** 70n,
    f64: new Float64Array([1.5, -0]),
    u8: new Uint8Array([1, 2, 3]),
    nested: { deep: [1, { deeper: [null, undefined, true] }] },
    nan: Number.NaN,
    text: 'ünïcödé ✓',
  }
  const d = new SharedDict<string, unknown>()
  await d.set('sample', sample)
  await d.set('undefined', undefined)
  await d.set('null', null)
  const there = (await decode(await encode(d))) as typeof d // another handle: decodes from shared memory
  const got = (await there.get('sample')) as typeof sample
  assert.deepEqual(got, sample)
  assert.ok(got.map instanceof Map && got.set instanceof Set && got.date instanceof Date && got.f64 instanceof Float64Array)
  assert.equal(typeof got.big, 'bigint')
  assert.equal(there.has('undefined'), true)
  assert.equal(await there.get('undefined'), undefined)
  assert.equal(await there.get('null'), null)
})

test('a read is a copy: changing it changes nothing shared', async () => {
  const d = new SharedDict<string, { n: number[] }>()
  await d.set('o', { n: [1] })
  const copy = (await d.get('o'))!
  copy.n.push(2)
  assert.deepEqual(await d.get('o'), { n: [1] })
})

test('shared objects inside values arrive as the same objects', async () => {
  const lock = new Lock()
  const total = new Value('i', 5)
  const d = new SharedDict<string, unknown>()
  await d.set('things', { lock, total, events: [new Event()] })
  const there = (await decode(await encode(d))) as typeof d
  const got = (await there.get('things')) as { lock: Lock; total: Value<'i'>; events: Event[] }
  assert.ok(got.lock instanceof Lock)
  await got.lock.acquire()
  assert.equal(lock.locked(), true, 'the lock read back is the lock that was stored')
  got.lock.release()
  got.total.value = 42
  assert.equal(total.value, 42)
  got.events[0]!.set()
})

test('update is atomic between tasks of one thread: 20 tasks x 200', async () => {
  const d = new SharedDict<string, number>()
  const tasks = Array.from({ length: 20 }, () => spawn(async () => {
    for (let i = 0; i < 200; i++) {
      await d.update('n', (v = 0) => v + 1)
      if (i % 7 === 0) await new Promise((r) => setImmediate(r))
    }
  }))
  await joinAll(tasks, { raiseError: true })
  assert.equal(await d.get('n'), 4000)
})

test('update returns the new value, sees undefined for a missing key, and may hold shared objects', async () => {
  const d = new SharedDict<string, unknown>()
  assert.equal(await d.update('x', (old) => (old === undefined ? 'fresh' : 'stale')), 'fresh')
  assert.equal(await d.update('x', (old) => `${old as string}!`), 'fresh!')
  const v = new Value('i', 1)
  await d.set('v', v) // a Value describes itself asynchronously: the optimistic path
  const back = (await d.update('v', (old) => { (old as Value<'i'>).value += 1; return old })) as Value<'i'>
  assert.equal(v.value, 2)
  assert.equal(back.value, 2)
  assert.equal(await d.update('w', () => v), v)
  assert.equal(((await d.get('w')) as Value<'i'>).value, 2)
})

test('misuse: an uncloneable value is a TypeError and nothing is written', async () => {
  const d = new SharedDict<string, unknown>({ keep: 1 })
  await assert.rejects(d.set('f', () => 1), (e: unknown) => e instanceof TypeError && /can't be shared/.test((e as Error).message) && /Nothing was written/.test((e as Error).message))
  await assert.rejects(d.set('keep', { deep: [Symbol('s')] }), TypeError)
  await assert.rejects(d.update('keep', () => ({ fn() {} })), TypeError)
  assert.deepEqual(await d.toMap(), new Map([['keep', 1]]))
})

test('misuse: object, null and symbol keys are TypeErrors naming the fix', async () => {
  const d = new SharedDict<never, unknown>()
  for (const key of [{}, null, undefined, Symbol('k'), [1]]) {
    await assert.rejects(d.set(key as never, 1), (e: unknown) => e instanceof TypeError && /JSON\.stringify/.test((e as Error).message), String(key as unknown))
  }
  assert.equal(d.size, 0)
})

test('misuse: update with an async fn, or a fn that throws, writes nothing', async () => {
  const d = new SharedDict<string, number>({ n: 1 })
  await assert.rejects(d.update('n', (async (v: number | undefined) => (v ?? 0) + 1) as never), (e: unknown) => e instanceof TypeError && /synchronous/.test((e as Error).message))
  await assert.rejects(d.update('n', () => { throw new Error('boom') }), /boom/)
  await assert.rejects(d.update('n', 'not a function' as never), TypeError)
  assert.equal(await d.get('n'), 1)
  assert.equal(await d.update('n', (v = 0) => v + 1), 2, 'the lock was released after each failure')
})

test('capacity: a write over it is a RangeError and writes nothing; bad capacities are RangeErrors', async () => {
  const d = new SharedDict<string, string>(undefined, { capacity: 4096 })
  await d.set('small', 'x')
  await assert.rejects(d.set('big', 'y'.repeat(5000)), (e: unknown) => e instanceof RangeError && /capacity of 4096 bytes/.test((e as Error).message))
  assert.deepEqual(d.keys(), ['small'])
  await d.set('fits', 'z'.repeat(3000))
  assert.equal((await d.get('fits'))?.length, 3000)
  for (const capacity of [0, -1, 1.5, 100, 2 ** 31, '1' as never]) {
    assert.throws(() => new SharedDict(undefined, { capacity }), RangeError, String(capacity))
  }
  assert.throws(() => new SharedDict(undefined, 5 as never), TypeError)
})

test('values of several MiB pass intact', async () => {
  const d = new SharedDict<string, Uint8Array>()
  const big = new Uint8Array(8 * 1024 * 1024).map((_, i) => i % 251)
  await d.set('big', big)
  const there = (await decode(await encode(d))) as typeof d
  assert.deepEqual(await there.get('big'), big)
})

test('a dict that shrinks gives its memory back to the kernel (the memfd\'s allocated blocks drop)', async () => {
  const d = new SharedDict<string, Uint8Array>()
  const fd = (d[kDescribe]() as unknown as { segment: { fd: number } }).segment.fd
  const allocated = (): number => statSync(`/proc/self/fd/${fd}`).blocks * 512
  await d.set('big', new Uint8Array(4 * 1024 * 1024).fill(1))
  await d.set('big2', new Uint8Array(4 * 1024 * 1024).fill(2)) // both halves now hold megabytes
  assert.ok(allocated() > 8 * 1024 * 1024, `allocated ${allocated()} bytes after two big writes`)
  await d.clear() // rewrites one half small
  await d.set('small', new Uint8Array(10)) // and the other
  assert.ok(allocated() < 1024 * 1024, `allocated ${allocated()} bytes after shrinking`)
  assert.deepEqual(await d.get('small'), new Uint8Array(10))
})

test('misuse: writing to the dict from inside its own update fn is a clear error, and nothing is written', async () => {
  const d = new SharedDict<string, number>({ n: 1 })
  let inner: Promise<unknown> | undefined
  await assert.rejects(d.update('n', (v = 0) => {
    inner = d.set('other', 5)
    return v + 1
  }).then(() => inner), /inside update\(\)'s fn/)
  assert.deepEqual(await d.toMap(), new Map([['n', 2]]), 'the update itself went through; the nested set did not')
  assert.equal(await d.update('n', (v = 0) => { assert.equal(d.has('n'), true); return v + 1 }), 3, 'reads inside fn are fine')
})
