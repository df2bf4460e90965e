import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ProcessPoolExecutor, ThreadPoolExecutor, Future, CancelledError, TimeoutError, asCompleted, wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from '../../src/index.js'
import { square, add, fail, sleepMs, waitGate } from '../fixtures/pool-targets.js'
import { Gate } from '../helpers/gate.js'

const kinds: Array<[string, () => ProcessPoolExecutor | ThreadPoolExecutor]> = [
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 2 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 2 })],
]

for (const [kind, make] of kinds) {
  describe(kind, () => {
    test('submit → Future: result, exception, done, thenable; map in order', async () => {
      await using ex = make()
      const f = ex.submit(add, 2, 3)
      assert.ok(f instanceof Future)
      assert.equal(await f.result(), 5)
      assert.equal(f.done(), true)
      assert.equal(await f.exception(), null)
      assert.equal(await ex.submit(square, 6), 36)
      const bad = ex.submit(fail, 'broken')
      await assert.rejects(bad.result(), (e: Error) => e instanceof RangeError && e.message === 'broken')
      assert.equal(((await bad.exception()) as Error).message, 'broken')
      const gate = new Gate()
      const slow = ex.submit(waitGate, gate.shared, 300)
      await gate.untilStarted(1)
      await assert.rejects(slow.result(10), (e) => e instanceof TimeoutError)
      assert.equal(slow.cancel(), false, 'a task sent to a worker is not cancelled')
      gate.open()
      assert.equal(await slow.result(), 300)
      const out: number[] = []
      for await (const v of ex.map(add, [1, 2, 3], [10, 20, 30])) out.push(v)
      assert.deepEqual(out, [11, 22, 33])
    })

    test('cancel, shutdown({ cancelFutures }), submit after shutdown', async () => {
      const ex = make()
      assert.deepEqual(await Promise.all([1, 2, 3, 4].map((x) => ex.submit(square, x))), [1, 4, 9, 16])
      assert.equal(await ex.submit(sleepMs, 1), 1)
      const busy = Array.from({ length: 8 }, () => ex.submit(sleepMs, 50))
      const queued = Array.from({ length: 10 }, () => ex.submit(square, 3))
      const last = queued[9]
      assert.equal(last.cancel(), true)
      assert.equal(last.cancelled(), true)
      await assert.rejects(last.result(), (e) => e instanceof CancelledError)
      await ex.shutdown({ wait: true, cancelFutures: true })
      assert.ok(queued.every((f) => f.done()))
      assert.deepEqual(await Promise.all(busy), Array(8).fill(50))
      assert.throws(() => ex.submit(square, 1), /shutdown/)
    })

    test('asCompleted yields in finishing order; wait with FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED', async () => {
      await using ex = make()
      // Every function used below is located and the workers are up before the gated part.
      const warm = new Gate()
      warm.open()
      assert.deepEqual(await Promise.all([ex.submit(sleepMs, 1), ex.submit(square, 2), ex.submit(waitGate, warm.shared, 3)]), [1, 4, 3])
      assert.equal(await ex.submit(fail, 'warm').exception().then((e) => (e as Error).message), 'warm')
      // A gated task is unfinished until its gate opens: no timing assumption.
      const first = new Gate()
      const held = ex.submit(waitGate, first.shared, 400)
      const quick = ex.submit(square, 5)
      const order: number[] = []
      // TypeScript applies Awaited to a for-await variable; at run time it is the Future itself.
      for await (const f of asCompleted([held, quick])) {
        order.push(await (f as unknown as Future<number>).result())
        if (order.length === 1) first.open()
      }
      assert.deepEqual(order, [25, 400])
      const second = new Gate()
      const a = ex.submit(square, 3)
      const b = ex.submit(waitGate, second.shared, 1500)
      const firstDone = await wait([a, b], { returnWhen: FIRST_COMPLETED })
      assert.ok(firstDone.done.has(a) && firstDone.notDone.has(b))
      const boom = ex.submit(fail, 'x')
      const firstError = await wait([b, boom], { returnWhen: FIRST_EXCEPTION })
      assert.ok(firstError.done.has(boom) && firstError.notDone.has(b))
      const timed = await wait([b], { timeout: 10 })
      assert.equal(timed.notDone.size, 1)
      second.open()
      const all = await wait([a, b, boom], { returnWhen: ALL_COMPLETED })
      assert.equal(all.done.size, 3)
      assert.equal(await b.result(), 1500)
      await assert.rejects(wait([a], { returnWhen: 'SOON' as never }), (e) => e instanceof RangeError && /returnWhen/.test((e as Error).message))
    })
  })
}

describe('wait', () => {
  test('a future that finishes while wait() looks at the others still ends the wait (no lost wake-up)', async () => {
    for (const returnWhen of [FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED] as const) {
      const a = new Future<number>(() => {})
      const b = new Future<number>(() => {})
      if (returnWhen === ALL_COMPLETED) b._resolve(2)
      // Queued before wait() is called, so it runs after wait()'s first look
      // and before wait() arms its callbacks: the window a lost wake-up needs.
      queueMicrotask(() => (returnWhen === FIRST_EXCEPTION ? a._reject(new Error('x')) : a._resolve(1)))
      let timer: NodeJS.Timeout | undefined
      const outcome = await Promise.race([
        wait([a, b], { returnWhen }).then(({ done }) => (done.has(a) ? 'woken' : 'wrong')),
        new Promise((resolve) => { timer = setTimeout(resolve, 10_000, 'hung') }),
      ])
      clearTimeout(timer)
      assert.equal(outcome, 'woken', returnWhen)
    }
  })
})
