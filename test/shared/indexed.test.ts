// a[i] and a[i] = x on RawArray and SharedArray reach the shared memory (as
// Python's sharedctypes arrays allow item assignment), in every thread and
// process; out of range or of the wrong type is an error, never a plain
// property quietly set beside the memory.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RawArray, SharedArray } from '../../src/shared/index.js'
import { startPeer, type PeerKind } from './peers.js'

test('a[i] reads and writes the shared memory; negative indexes count from the end', () => {
  const a = new RawArray('i', 3)
  a[1] = 5
  a[-1] = 7
  assert.deepEqual(a.toArray(), [0, 5, 7])
  assert.equal(a.array[1], 5, 'the write reached the typed array over the segment')
  assert.deepEqual([a[0], a[1], a[2], a[-3]], [0, 5, 7, 0])
  assert.deepEqual(Object.keys(a), [], 'no plain property was added')
  assert.equal(1 in a, true)
  assert.equal(3 in a, false)
  const q = new SharedArray('q', 2)
  q[0] = 2n ** 62n
  assert.equal(q.get(0), 2n ** 62n)
})

test('a[i] = x out of range, of the wrong type, or at a non-integer index is an error and changes nothing', () => {
  const a = new RawArray('i', 3)
  assert.throws(() => { a[3] = 1 }, { name: 'RangeError', message: /index 3 is out of range for an array of length 3/ })
  assert.throws(() => { a[-4] = 1 }, RangeError)
  assert.throws(() => { a[1.5] = 1 }, RangeError)
  assert.throws(() => { (a as unknown as Record<number, unknown>)[0] = 'x' }, { name: 'TypeError', message: /must be a number for typecode 'i'/ })
  assert.throws(() => { (a as unknown as Record<number, unknown>)[0] = 1.5 }, { name: 'TypeError', message: /must be an integer/ })
  assert.throws(() => a[7], RangeError)
  assert.throws(() => { delete (a as unknown as Record<number, unknown>)[0] }, { name: 'TypeError', message: /length is fixed/ })
  assert.throws(() => Object.defineProperty(a, 0, { value: 1 }), { name: 'TypeError', message: /a\[i\] = x/ })
  assert.throws(() => { (a as unknown as Record<string, unknown>)['__proto__'] = {} }, TypeError, "a['__proto__'] = x does not unmake the array")
  assert.ok(a instanceof RawArray)
  assert.deepEqual(a.toArray(), [0, 0, 0])
  assert.deepEqual(Object.keys(a), [])
})

test('SharedArray keeps its lock and its methods behind the indexing', async () => {
  const s = new SharedArray('d', [1, 2])
  await s.withLock(() => { s[1] += 1 })
  s.withLockSync(() => { s[0] = 0.25 })
  assert.deepEqual(s.toArray(), [0.25, 3])
  assert.ok(s instanceof SharedArray && s instanceof RawArray)
  assert.equal(String(s), "SharedArray('d', [0.25, 3])")
})

for (const kind of ['thread', 'process'] as PeerKind[]) {
  test(`a ${kind} reads and writes elements with a[i]: the same memory`, async () => {
    const a = new RawArray('i', [41, 0, 9])
    const s = new SharedArray('d', [0.5, 0])
    const peer = startPeer(kind)
    try {
      assert.deepEqual(await peer.run('indexed', { a, s }), [41, 9, 0.5])
    } finally {
      await peer.close()
    }
    assert.equal(a[1], 42)
    assert.equal(s[-1], 2.5)
  })
}

test('an object that inherits from an array reads its elements and gets its own properties on writes, as with a typed array', () => {
  for (const a of [new RawArray('d', 2), new SharedArray('d', 2)]) {
    a[1] = 1.5
    const child = Object.create(a) as Record<string, unknown>
    assert.equal(child[1], 1.5, 'a read goes to the shared memory')
    child[1] = 10n // a BigInt the array itself would refuse
    child[0] = 'x'
    assert.deepEqual([child[0], child[1]], ['x', 10n], 'the writes made own properties of the child')
    assert.deepEqual(a.toArray(), [0, 1.5], 'and left the memory alone')
    const plain: Record<string, unknown> = {}
    plain['__proto__'] = a // a key like any other to code that builds objects from input
    plain['1'] = 2n
    assert.equal(Object.getOwnPropertyDescriptor(plain, '1')?.value, 2n)
    Object.defineProperty(child, '0', { value: 'fixed', writable: false })
    assert.throws(() => { 'use strict'; child[0] = 'y' }, TypeError, 'a read-only own property stays')
  }
  const typed = Object.create(new Float64Array(2)) as Record<string, unknown>
  typed[1] = 10n
  assert.equal(Object.getOwnPropertyDescriptor(typed, '1')?.value, 10n, 'the typed array behaviour this follows')
})

test('an array larger than a typed array can be is a RangeError naming the limit, not "Invalid typed array length: undefined"', () => {
  assert.throws(() => new SharedArray('d', 2 ** 40), { name: 'RangeError', message: /SharedArray\('d', 1099511627776\): 1099511627776 elements of 8 bytes is more than one shared array holds \(at most \d+ of typecode 'd'.*use SharedMemory/ })
  assert.throws(() => new RawArray('B', 2 ** 53), { name: 'RangeError', message: /RawArray\('B', 9007199254740992\).*more than one shared array holds/ })
  assert.throws(() => new RawArray('B', -1), { name: 'RangeError', message: /size must be a non-negative integer; got -1/ })
})
