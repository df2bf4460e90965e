import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sleep } from '../../src/task/index.ts'

const T = { timeout: 5000 }

test('sleep resolves after roughly the delay', T, async () => {
  const t0 = performance.now()
  assert.equal(await sleep(15), undefined)
  assert.ok(performance.now() - t0 >= 10)
  await sleep(0)
})

test('an aborted signal rejects with its reason, at once if already aborted', T, async () => {
  const reason = new Error('stop')
  await assert.rejects(sleep(60_000, { signal: AbortSignal.abort(reason) }), (e) => e === reason)
  const ctl = new AbortController()
  const p = sleep(60_000, { signal: ctl.signal })
  ctl.abort(reason)
  await assert.rejects(p, (e) => e === reason)
  const ctl2 = new AbortController()
  setTimeout(() => ctl2.abort(reason), 5) // (AbortSignal.timeout is unref'd: it would not keep the loop alive)
  await assert.rejects(sleep(Infinity, { signal: ctl2.signal }), (e) => e === reason)
})

test('misuse: negative, NaN or missing ms and a bad signal reject', T, async () => {
  await assert.rejects(sleep(-1), { name: 'RangeError', message: /ms must be a number/ })
  await assert.rejects(sleep(Number.NaN), RangeError)
  await assert.rejects((sleep as (ms?: number) => Promise<void>)(), RangeError)
  await assert.rejects(sleep(1, { signal: 'no' as never }), TypeError)
})
