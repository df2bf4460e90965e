import { test } from 'node:test'
import assert from 'node:assert/strict'
import { joinAll, spawn, sleep } from '../../src/task/index.ts'

const T = { timeout: 5000 }

test('joinAll resolves with every task in finishing order', T, async () => {
  const a = spawn((signal) => sleep(20, { signal }).then(() => 'a'))
  const b = spawn(() => 'b')
  const done = await joinAll([a, b])
  assert.deepEqual(done, [b, a])
  assert.deepEqual(done.map((t) => t.value), ['b', 'a'])
})

test('joinAll does not reject on task errors by default', T, async () => {
  const bad = spawn(() => { throw new Error('x') })
  const ok = spawn(() => 1)
  const done = await joinAll([bad, ok])
  assert.equal(done.length, 2)
  assert.equal(bad.successful(), false)
})

test('joinAll with raiseError rejects with the first error', T, async () => {
  const err = new Error('first')
  const slow = spawn((signal) => sleep(60_000, { signal }))
  const bad = spawn(async () => { await sleep(1); throw err })
  await assert.rejects(joinAll([slow, bad], { raiseError: true }), (e) => e === err)
  assert.equal(slow.ready(), false)
  await slow.kill()
})

test('joinAll with a timeout resolves with the tasks done so far', T, async () => {
  const fast = spawn(() => sleep(1))
  const slow = spawn((signal) => sleep(60_000, { signal }))
  const done = await joinAll([fast, slow], { timeout: 30 })
  assert.deepEqual(done, [fast])
  assert.equal(slow.ready(), false) // still running
  await slow.kill()
})

test('joinAll of nothing and of finished tasks resolves at once', T, async () => {
  assert.deepEqual(await joinAll([]), [])
  const t = spawn(() => 1)
  await t
  assert.deepEqual(await joinAll([t], { timeout: 0 }), [t])
})

test('misuse: joinAll rejects with TypeError/RangeError', T, async () => {
  await assert.rejects(joinAll(5 as never), { name: 'TypeError', message: /iterable of Task/ })
  await assert.rejects(joinAll([Promise.resolve(1)] as never), { name: 'TypeError', message: /tasks\[0\] is not a Task/ })
  await assert.rejects(joinAll([], { timeout: -5 }), RangeError)
  await assert.rejects(joinAll([], { timeout: Number.NaN }), RangeError)
})
