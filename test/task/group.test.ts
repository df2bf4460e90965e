import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TaskGroup, sleep } from '../../src/task/index.ts'

const T = { timeout: 5000 }

test('await using waits for every task', T, async () => {
  const order: string[] = []
  {
    await using g = new TaskGroup()
    g.spawn(async (signal) => { await sleep(20, { signal }); order.push('slow') })
    g.spawn(async (signal) => { await sleep(1, { signal }); order.push('fast') })
  }
  assert.deepEqual(order, ['fast', 'slow'])
})

test('wait() waits for tasks spawned by other tasks meanwhile', T, async () => {
  const g = new TaskGroup()
  let inner = false
  g.spawn(async () => {
    await sleep(1)
    g.spawn(async () => { await sleep(5); inner = true })
  })
  await g.wait()
  assert.equal(inner, true)
})

test('the first error aborts the others through their signals, waits for them, and is rethrown', T, async () => {
  const g = new TaskGroup()
  const err = new Error('boom')
  const aborted: unknown[] = []
  let cleanedUp = 0
  for (let i = 0; i < 3; i++) {
    g.spawn(async (signal) => {
      try {
        await sleep(60_000, { signal })
      } catch (e) {
        aborted.push(e)
        await sleep(5) // slow cleanup: wait() must wait for it
        cleanedUp++
        throw e
      }
    })
  }
  g.spawn(async () => { await sleep(2); throw err })
  await assert.rejects(g.wait(), (e) => e === err)
  assert.equal(aborted.length, 3)
  assert.equal(cleanedUp, 3)
  for (const e of aborted) {
    assert.equal((e as DOMException).name, 'AbortError')
    assert.equal((e as { cause?: unknown }).cause, err)
  }
})

test('several failures become an AggregateError', T, async () => {
  const g = new TaskGroup()
  const e1 = new Error('one')
  const e2 = new Error('two')
  g.spawn(async () => { await sleep(2); throw e1 })
  g.spawn(async (signal) => {
    await sleep(60_000, { signal }).catch(() => {}) // cancelled: its cleanup fails differently
    throw e2
  })
  g.spawn(async (signal) => { await sleep(60_000, { signal }) }) // cancelled: AbortError, not an error
  const done = g.spawn(async (signal) => { await sleep(60_000, { signal }).catch(() => {}); return 'ok' })
  await assert.rejects(g.wait(), (e) => e instanceof AggregateError && e.errors.length === 2 && e.errors[0] === e1 && e.errors[1] === e2)
  assert.equal(done.value, 'ok') // a cancelled task may still end with a value
})

test('await using rethrows the task error', T, async () => {
  const err = new Error('inside')
  await assert.rejects(async () => {
    await using g = new TaskGroup()
    g.spawn(async () => { throw err })
  }, (e) => e === err)
})

test('the signal option cancels all tasks and wait() rejects with its reason', T, async () => {
  const ctl = new AbortController()
  const g = new TaskGroup({ signal: ctl.signal })
  const seen: unknown[] = []
  for (let i = 0; i < 2; i++) g.spawn(async (signal) => { await sleep(60_000, { signal }).catch((e) => { seen.push(e) }) })
  const reason = new Error('cancel all')
  setTimeout(() => ctl.abort(reason), 5)
  await assert.rejects(g.wait(), (e) => e === reason)
  assert.deepEqual(seen, [reason, reason])
})

test('kill() stops every task and wait() resolves normally', T, async () => {
  const g = new TaskGroup()
  const t = g.spawn((signal) => sleep(60_000, { signal }))
  await sleep(1) // t is running
  const never = g.spawn(() => 'never runs')
  await g.kill() // `never` had not started: it never runs
  assert.equal(t.ready(), true)
  assert.equal(never.successful(), false)
  await g.wait()
})

test('join(timeout) reports without throwing or closing', T, async () => {
  const g = new TaskGroup()
  g.spawn((signal) => sleep(60_000, { signal }))
  assert.equal(await g.join(10), false)
  g.spawn(() => 1) // still open
  await g.kill()
  assert.equal(await g.join(), true)
})

test('an error nobody waits for does not raise an unhandled rejection', T, async () => {
  let unhandled = 0
  const on = (): void => { unhandled++ }
  process.on('unhandledRejection', on)
  try {
    const g = new TaskGroup()
    g.spawn(() => { throw new Error('ignored') })
    await sleep(10)
    assert.equal(unhandled, 0)
  } finally {
    process.off('unhandledRejection', on)
  }
})

test('misuse: spawn after the group closed or while shutting down throws', T, async () => {
  const g = new TaskGroup()
  g.spawn(() => 1)
  await g.wait()
  assert.throws(() => g.spawn(() => 2), { message: /closed.*create a new TaskGroup/ })

  const h = new TaskGroup()
  h.spawn(() => { throw new Error('x') })
  h.spawn((signal) => sleep(60_000, { signal }))
  await sleep(1)
  assert.throws(() => h.spawn(() => 3), { message: /shutting down/ })
  await assert.rejects(h.wait())
})

test('misuse: non-function, bad signal, bad timeout', T, async () => {
  const g = new TaskGroup()
  assert.throws(() => g.spawn('x' as never), TypeError)
  assert.throws(() => new TaskGroup({ signal: {} as never }), { name: 'TypeError', message: /options.signal/ })
  await assert.rejects(g.join(-1), RangeError)
  await g.wait()
})
