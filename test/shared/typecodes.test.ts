import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RawArray, RawValue, SharedArray, TYPECODES, Value, type Typecode } from '../../src/shared/index.js'

const samples: Record<Typecode, { value: number | bigint; array: ArrayBufferView['constructor'] }> = {
  b: { value: -128, array: Int8Array },
  B: { value: 255, array: Uint8Array },
  h: { value: -32768, array: Int16Array },
  H: { value: 65535, array: Uint16Array },
  i: { value: -(2 ** 31), array: Int32Array },
  I: { value: 2 ** 32 - 1, array: Uint32Array },
  l: { value: -(2n ** 63n), array: BigInt64Array },
  L: { value: 2n ** 64n - 1n, array: BigUint64Array },
  q: { value: 2n ** 63n - 1n, array: BigInt64Array },
  Q: { value: 2n ** 64n - 1n, array: BigUint64Array },
  f: { value: 1.5, array: Float32Array },
  d: { value: Math.PI, array: Float64Array },
}

test('every typecode stores its extreme values and views the memory with its typed array', () => {
  assert.deepEqual([...TYPECODES], Object.keys(samples))
  for (const code of TYPECODES) {
    const { value, array } = samples[code]
    for (const v of [new RawValue(code, value as never), new Value(code, value as never)]) {
      assert.equal(v.value, value, code)
      assert.ok(v.array instanceof array, code)
      assert.equal(v.array.byteOffset % v.array.BYTES_PER_ELEMENT, 0, `${code} aligned`)
    }
    const zero = new RawValue(code)
    assert.equal(zero.value, typeof value === 'bigint' ? 0n : 0, `${code} default`)
    const a = new SharedArray(code, [value, value] as never)
    assert.deepEqual(a.toArray(), [value, value], code)
  }
})

test('bigint codes give bigints, number codes numbers (at runtime as in the types)', () => {
  const q = new Value('q', 0n)
  q.value = 5n
  const big: bigint = q.value
  const i = new Value('i', 0)
  const small: number = i.value
  assert.equal(typeof big, 'bigint')
  assert.equal(typeof small, 'number')
  // @ts-expect-error: a number is not a valid value for 'q'
  assert.throws(() => new Value('q', 1), { name: 'TypeError', message: /bigint.*1n/ })
  // @ts-expect-error: a bigint is not a valid value for 'i'
  assert.throws(() => new Value('i', 1n), { name: 'TypeError', message: /must be a number/ })
})

test("'f' rounds to single precision, 'd' keeps doubles", () => {
  const f = new RawValue('f', 0.1)
  assert.notEqual(f.value, 0.1)
  assert.equal(f.value, Math.fround(0.1))
  f.value = 1 / 3
  assert.equal(f.value, Math.fround(1 / 3))
  const d = new RawValue('d', 0.1)
  assert.equal(d.value, 0.1)
  f.value = 1.5 // exactly representable
  assert.equal(f.value, 1.5)
})

test('out-of-range integers wrap, as in a typed array or ctypes', () => {
  assert.equal(new RawValue('b', 300).value, 44)
  assert.equal(new RawValue('B', -1).value, 255)
  assert.equal(new RawValue('Q', -1n).value, 2n ** 64n - 1n)
})

test('a bad typecode is a TypeError listing the valid ones', () => {
  for (const bad of ['x', 'c', 'u', '', 'ii', 5, undefined]) {
    assert.throws(() => new RawValue(bad as never, 0 as never), { name: 'TypeError', message: /'b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'f', 'd'/ })
    assert.throws(() => new SharedArray(bad as never, 1), TypeError)
  }
})

test('a negative or non-integer size is a RangeError', () => {
  for (const bad of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => new RawArray('i', bad), { name: 'RangeError', message: /non-negative integer/ })
    assert.throws(() => new SharedArray('d', bad), RangeError)
  }
  assert.equal(new RawArray('i', 0).length, 0)
})

test('wrong element types are TypeErrors that say what to use', () => {
  assert.throws(() => new RawValue('i', 1.5), { name: 'TypeError', message: /integer/ })
  assert.throws(() => new RawValue('i', '1' as never), TypeError)
  assert.throws(() => new RawArray('q', [1n, 2 as never]), { name: 'TypeError', message: /element 1 must be a bigint/ })
  const v = new RawValue('q', 0n)
  assert.throws(() => { v.value = 3 as never }, { message: /use a bigint \(e\.g\. 3n/ })
  const a = new RawArray('I', 2)
  assert.throws(() => a.set(0, 1n as never), TypeError)
  assert.throws(() => a.get(2), RangeError)
  assert.throws(() => a.set(-3, 1), RangeError)
  a.set(-1, 7)
  assert.equal(a.get(1), 7)
})
