import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, sleep, Task } from '../../src/task/index.ts'

const T = { timeout: 5000 }

test('spawn runs a sync or async function and await gives its value', T, async () => {
  assert.equal(await spawn((_s, a: number, b: number) => a + b, 2, 3), 5)
  assert.equal(await spawn(async (_s, x: string) => x.toUpperCase(), 'hi'), 'HI')
})

test('the function receives an AbortSignal first, then the args', T, async () => {
  const seen = await spawn((signal, ...args: number[]) => [signal instanceof AbortSignal, args], 1, 2)
  assert.deepEqual(seen, [true, [1, 2]])
})

test('the function starts on a microtask, not synchronously', T, async () => {
  const order: string[] = []
  const t = spawn(() => { order.push('task') })
  order.push('after spawn')
  assert.equal(t.ready(), false)
  await t
  assert.deepEqual(order, ['after spawn', 'task'])
})

test('ready/successful/value/exception for success and failure', T, async () => {
  const ok = spawn(async () => 42)
  assert.equal(ok.value, undefined)
  assert.equal(await ok.join(), true)
  assert.equal(ok.ready(), true)
  assert.equal(ok.successful(), true)
  assert.equal(ok.value, 42)
  assert.equal(ok.exception, undefined)

  const err = new Error('boom')
  const bad = spawn(async () => { throw err })
  assert.equal(await bad.join(), true) // join never throws the task's error
  assert.equal(bad.successful(), false)
  assert.equal(bad.exception, err)
  assert.equal(bad.value, undefined)
  await assert.rejects(async () => { await bad }, (e) => e === err)
})

test('a sync throw is captured, not thrown from spawn', T, async () => {
  const t = spawn(() => { throw new TypeError('sync') })
  await assert.rejects(async () => { await t }, TypeError)
})

test('an unobserved failure does not raise an unhandled rejection', T, async () => {
  let unhandled = 0
  const on = (): void => { unhandled++ }
  process.on('unhandledRejection', on)
  try {
    const t = spawn(async () => { throw new Error('nobody looks') })
    spawn(() => { throw new Error('nobody looks either') })
    await sleep(20)
    assert.equal(t.ready(), true)
    assert.equal(unhandled, 0)
  } finally {
    process.off('unhandledRejection', on)
  }
})

test('join(timeout) resolves false at the timeout and true once done', T, async () => {
  const t = spawn((signal) => sleep(60_000, { signal }))
  assert.equal(await t.join(10), false)
  assert.equal(t.ready(), false)
  void t.kill()
  assert.equal(await t.join(10), true)
})

test('kill aborts the signal with the reason; await rejects with it', T, async () => {
  let sawAbort: unknown
  const t = spawn(async (signal) => {
    try {
      await sleep(60_000, { signal })
    } catch (e) {
      sawAbort = e
      throw e
    }
  })
  await sleep(1) // let it start
  const reason = new Error('stop')
  await t.kill(reason) // resolves once the function returned
  assert.equal(sawAbort, reason)
  assert.equal(t.exception, reason)
  assert.equal(t.successful(), false)
  await assert.rejects(async () => { await t }, (e) => e === reason)
})

test('kill without a reason uses an AbortError', T, async () => {
  const t = spawn((signal) => sleep(60_000, { signal }))
  await t.kill()
  assert.equal((t.exception as DOMException).name, 'AbortError')
})

test('kill settles at once, and its promise waits for the function', T, async () => {
  let returned = false
  const t = spawn(async () => { await sleep(30); returned = true }) // ignores its signal
  await sleep(1)
  const killed = t.kill(new Error('x'))
  assert.equal(t.ready(), true)
  assert.equal(returned, false)
  await killed
  assert.equal(returned, true)
  assert.equal(t.successful(), false) // the late result is ignored
})

test('a task killed before it starts never runs', T, async () => {
  let ran = false
  const t = spawn(() => { ran = true })
  await t.kill()
  await sleep(1)
  assert.equal(ran, false)
  assert.equal(t.ready(), true)
})

test('kill on a finished task changes nothing', T, async () => {
  const t = spawn(() => 1)
  await t
  await t.kill(new Error('late'))
  assert.equal(t.successful(), true)
  assert.equal(t.value, 1)
})

test('Task works with Promise.all and is an instance of Task', T, async () => {
  const ts = [spawn(() => 1), spawn(async () => 2)]
  assert.ok(ts[0] instanceof Task)
  assert.deepEqual(await Promise.all(ts), [1, 2])
})

test('misuse: spawn(non-function) throws TypeError naming the fix', () => {
  assert.throws(() => spawn(42 as never), { name: 'TypeError', message: /fn must be a function.*spawn\(work, 1\)/ })
})

test('misuse: join with a negative or NaN timeout rejects with RangeError', T, async () => {
  const t = spawn(() => 1)
  await assert.rejects(t.join(-1), RangeError)
  await assert.rejects(t.join(Number.NaN), { name: 'RangeError', message: /timeout/ })
})

test('a task whose value has a throwing `then` getter fails with that error (it crashed the process, and the task never settled)', T, async () => {
  const hostile = new Proxy({}, { get: () => { throw new RangeError('hostile then') } })
  const t = spawn(() => hostile)
  assert.equal(await t.join(5_000), true, 'settled')
  assert.equal(t.successful(), false)
  assert.equal((t.exception as Error).message, 'hostile then')
  await assert.rejects(Promise.resolve().then(() => t), { name: 'RangeError', message: 'hostile then' })
})
