import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TimeoutError } from '../../src/errors.ts'
import { sleep, spawn, withTimeout } from '../../src/task/index.ts'

const T = { timeout: 5000 }

test('the value or error of work that finishes in time passes through', T, async () => {
  assert.equal(await withTimeout(1000, Promise.resolve(7)), 7)
  assert.equal(await withTimeout(1000, async () => 'fn'), 'fn')
  assert.equal(await withTimeout(1000, () => 'sync'), 'sync')
  const err = new Error('own')
  await assert.rejects(withTimeout(1000, Promise.reject(err)), (e) => e === err)
  await assert.rejects(withTimeout(1000, () => { throw err }), (e) => e === err)
})

test('slow work rejects with skein TimeoutError', T, async () => {
  await assert.rejects(withTimeout(5, sleep(60_000, { signal: AbortSignal.timeout(100) })), (e) => e instanceof TimeoutError && e.name === 'TimeoutError' && e.code === 'ERR_SKEIN_TIMEOUT')
})

test('given a function, its signal aborts with the same TimeoutError', T, async () => {
  let seen: unknown
  let finished = false
  const p = withTimeout(10, async (signal) => {
    try {
      await sleep(60_000, { signal })
    } catch (e) {
      seen = e
    } finally {
      finished = true
    }
  })
  const err = await p.then(() => null, (e: unknown) => e)
  assert.ok(err instanceof TimeoutError)
  await sleep(1)
  assert.equal(finished, true)
  assert.equal(seen, err)
})

test('given a Task, it is killed at the timeout', T, async () => {
  const t = spawn((signal) => sleep(60_000, { signal }))
  await assert.rejects(withTimeout(5, t), TimeoutError)
  assert.ok(t.exception instanceof TimeoutError)
})

test('Infinity never times out', T, async () => {
  assert.equal(await withTimeout(Infinity, async () => 1), 1)
})

test('misuse: bad ms or work', T, async () => {
  await assert.rejects(withTimeout(-1, Promise.resolve(1)), RangeError)
  await assert.rejects(withTimeout(Number.NaN, Promise.resolve(1)), RangeError)
  await assert.rejects(withTimeout(undefined as never, Promise.resolve(1)), RangeError)
  await assert.rejects(withTimeout(10, 42 as never), { name: 'TypeError', message: /promise or a function/ })
})
