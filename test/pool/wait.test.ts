// pool/wait.ts: asCompleted and wait must not lose a future that finishes while
// they are deciding (issue 14's review of every wait).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Future } from '../../src/pool/future.js'
import { asCompleted, wait, FIRST_EXCEPTION, FIRST_COMPLETED } from '../../src/pool/wait.js'

const future = <T>() => new Future<T>(() => {})
async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} never returned: a finished future was missed`)), 2000) })
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

test('asCompleted: two next() calls waiting at once are both served', async () => {
  const a = future<number>()
  const b = future<number>()
  const it = asCompleted([a, b])[Symbol.asyncIterator]()
  const first = it.next()
  const second = it.next()
  a._resolve(1)
  b._resolve(2)
  const got = await within(Promise.all([first, second]), 'the first next()')
  assert.deepEqual(got.map((r) => r.value).sort(), [a, b].sort())
})

test('wait(FIRST_EXCEPTION): a failure that lands while the done futures are being inspected is seen', async () => {
  const ok = future<number>()
  ok._resolve(1)
  const bad = future<number>()
  const waiting = wait([ok, bad], { returnWhen: FIRST_EXCEPTION })
  queueMicrotask(() => bad._reject(new Error('boom'))) // inside wait's check of `ok`
  const { done, notDone } = await within(waiting, 'wait(FIRST_EXCEPTION)')
  assert.equal(done.size, 2)
  assert.equal(notDone.size, 0)
})

test('wait(FIRST_COMPLETED) returns when a future finishes later', async () => {
  const a = future<number>()
  const b = future<number>()
  const waiting = wait([a, b], { returnWhen: FIRST_COMPLETED })
  setTimeout(() => b._resolve(2), 5)
  const { done } = await within(waiting, 'wait(FIRST_COMPLETED)')
  assert.deepEqual([...done], [b])
})
