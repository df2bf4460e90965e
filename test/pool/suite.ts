/**
 * The behaviour both pools share, as one suite run by thread-pool.test.ts
 * and pool.test.ts (one file per backend keeps each file well
 * inside the runner's 3-minute bound under load).
 */
import { test, describe, after } from 'node:test'
import assert from 'node:assert/strict'
import { Pool, ThreadPool, AsyncResult, PoolTerminatedError, TimeoutError, WorkerCrashedError } from '../../src/index.js'
import { Queue, RawArray, type TaskRetry, type WorkerCrash } from '../../src/index.js'
import { unloadable } from '../fixtures/pool-bad-module.js'
import { Gate } from '../helpers/gate.js'
import { mark, square, add, slowSquare, fail, failCustom, sleepMs, waitGate, exitNow, selfKill, init, initFails, readInit, countTasks, returnsFunction, identity, numberOrText, crashOnce } from '../fixtures/pool-targets.js'

export type AnyPool = Pool | ThreadPool
/** Makes a pool of this kind (2 workers unless `threads`/`processes` say otherwise). */
export type MakePool = (o?: Record<string, unknown>) => AnyPool

/** The named fields of `o`. */
function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>
}

/** The shared suite for one kind of pool. */
export function poolSuite(kind: 'Pool' | 'ThreadPool', make: MakePool): void {
  describe(kind, () => {
    const pool = make()
    after(async () => { pool.close(); await pool.join() })

    test('apply and applyAsync with callback; AsyncResult get/ready/successful/wait', async () => {
      assert.equal(await pool.apply(square, [7]), 49)
      assert.equal(await pool.apply(add, [2, 3]), 5)
      let called: number | undefined
      const r = pool.applyAsync(square, [9], { callback: (v) => { called = v } })
      assert.ok(r instanceof AsyncResult)
      assert.throws(() => { if (!r.ready()) r.successful() ; else throw new Error('ready too early is fine') })
      assert.equal(await r.get(), 81)
      assert.equal(called, 81)
      assert.equal(r.ready(), true)
      assert.equal(r.successful(), true)
      assert.equal(await r.wait(), true)
      let failedWith: unknown
      const bad = pool.applyAsync(fail, ['nope'], { errorCallback: (e) => { failedWith = e } })
      assert.equal(await bad.wait(), true)
      assert.equal(bad.successful(), false)
      assert.equal((failedWith as Error).message, 'nope')
      assert.equal(await pool.apply(slowSquare, [5, 1]), 25, 'async task functions are awaited')
    })

    test('map, mapAsync, starmap, starmapAsync, imap in order, imapUnordered', async () => {
      const xs = Array.from({ length: 101 }, (_, i) => i)
      assert.deepEqual(await pool.map(square, xs), xs.map((x) => x * x))
      assert.deepEqual(await pool.map(square, new Set([1, 2, 3]), { chunksize: 2 }), [1, 4, 9])
      assert.deepEqual(await pool.map(square, []), [])
      let got: number[] | undefined
      const r = pool.mapAsync(square, [1, 2, 3], { callback: (v) => { got = v } })
      assert.deepEqual(await r.get(), [1, 4, 9])
      assert.deepEqual(got, [1, 4, 9])
      assert.deepEqual(await pool.starmap(add, [[1, 2], [3, 4], [5, 6]]), [3, 7, 11])
      assert.deepEqual(await pool.starmapAsync(add, [[1, 1]], { chunksize: 1 }).get(), [2])
      const ordered: number[] = []
      for await (const v of pool.imap(slowSquare, [5, 1, 4, 2, 3])) ordered.push(v)
      assert.deepEqual(ordered, [25, 1, 16, 4, 9])
      const unordered: number[] = []
      for await (const v of pool.imapUnordered(square, xs, { chunksize: 7 })) unordered.push(v)
      assert.deepEqual(unordered.sort((a, b) => a - b), xs.map((x) => x * x))
      assert.deepEqual(await pool.map(slowSquare, [1, 2, 3, 4]), [1, 4, 9, 16])
      // progress: stdout is not a TTY under the test runner, so nothing is drawn and nothing breaks
      assert.equal(process.stdout.isTTY, undefined)
      assert.deepEqual(await pool.map(square, [1, 2, 3], { progress: true }), [1, 4, 9])
      const viaImap: number[] = []
      for await (const v of pool.imap(square, [4, 5], { progress: true })) viaImap.push(v)
      assert.deepEqual(viaImap, [16, 25])
      // a progress callback is called, TTY or not, as items finish
      const told: Array<{ done: number; total: number }> = []
      assert.deepEqual(await pool.map(square, xs, { chunksize: 10, progress: (p) => told.push(p) }), xs.map((x) => x * x))
      assert.deepEqual(told.at(-1), { done: 101, total: 101 })
      assert.equal(told.length, 11, 'one call per chunk')
      assert.ok(told.every((p, i) => i === 0 || p.done > told[i - 1].done), 'done only grows')
      const streamed: Array<{ done: number; total: number }> = []
      for await (const _ of pool.imap(square, (function* () { for (let i = 0; i < 5; i++) yield i })(), { progress: (p) => streamed.push(p) })) { /* drain */ }
      assert.deepEqual(streamed.at(-1), { done: 5, total: 5 }, 'a source of unknown length: the total grows as it is read')
      assert.throws(() => pool.imap(square, [1], { progress: 'yes' as never }), (e: Error) => e instanceof TypeError && /options.progress must be true/.test(e.message))
    })

    test('map chunks of numbers cross packed and arrive exactly (-0, NaN, infinities); mixed chunks and values too', async () => {
      const special = [0, -0, NaN, Infinity, -Infinity, 1.5, -2.25, 2 ** 53, -(2 ** 31), 1e-300, Number.MAX_VALUE, Number.MIN_VALUE]
      const xs = [...special, ...Array.from({ length: 60 }, (_, i) => i * 7 - 100)]
      assert.deepEqual(await pool.map(identity, xs, { chunksize: 20 }), xs)
      assert.deepEqual(await pool.map(identity, xs), xs)
      const mixed: unknown[] = [...xs.slice(0, 30), 'text', null, [1, 2], { a: -0 }, ...xs.slice(30)]
      assert.deepEqual(await pool.map(identity, mixed, { chunksize: 20 }), mixed)
      const ns = Array.from({ length: 64 }, (_, i) => i)
      assert.deepEqual(await pool.map(numberOrText, ns, { chunksize: 32 }), ns.map(numberOrText))
      assert.deepEqual(await pool.map(slowSquare, ns.slice(0, 40), { chunksize: 20 }), ns.slice(0, 40).map((x) => x * x), 'async functions over packed chunks')
      const got: number[] = []
      for await (const v of pool.imap(square, ns, { chunksize: 16 })) got.push(v)
      assert.deepEqual(got, ns.map((x) => x * x))
      const typed = new Float64Array([1, -0, 3])
      const back = await pool.apply(identity, [typed])
      assert.ok(back instanceof Float64Array, 'a task\'s own Float64Array still arrives as one')
      assert.deepEqual([...back], [1, -0, 3])
      const list = await pool.map(identity, [typed, typed])
      assert.ok(list.every((t) => t instanceof Float64Array))
    })

    test('imap reads its source lazily: an endless generator, a bounded look-ahead, break stops the reading', async () => {
      let read = 0
      let closed = false
      function* naturals() {
        try {
          for (let i = 0; ; i++) { read++; yield i }
        } finally {
          closed = true
        }
      }
      const it = pool.imap(square, naturals())
      await sleepMs(50)
      assert.ok(read > 0 && read <= 4097, `read ${read} items ahead of a consumer that took none (the look-ahead is 4,096 items)`)
      const got: number[] = []
      for await (const v of it) {
        got.push(v)
        if (got.length === 6000) break
      }
      assert.deepEqual(got, Array.from({ length: 6000 }, (_, i) => i * i))
      assert.ok(closed, 'break closed the source')
      assert.ok(read <= 6000 + 4097, `read ${read}`)
      const unordered: number[] = []
      for await (const v of pool.imapUnordered(square, naturals(), { chunksize: 10 })) if (unordered.push(v) >= 50) break
      assert.equal(unordered.length, 50)
    })

    test('imap and imapUnordered take async iterables; a source error arrives in its place', async () => {
      async function* slowly(n: number) {
        for (let i = 0; i < n; i++) { if (i % 7 === 0) await sleepMs(1); yield i }
      }
      const ordered: number[] = []
      for await (const v of pool.imap(square, slowly(40), { chunksize: 3 })) ordered.push(v)
      assert.deepEqual(ordered, Array.from({ length: 40 }, (_, i) => i * i))
      const unordered: number[] = []
      for await (const v of pool.imapUnordered(slowSquare, slowly(12))) unordered.push(v)
      assert.deepEqual(unordered.sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i * i))
      async function* breaks() { yield 1; yield 2; await sleepMs(1); throw new RangeError('source broke') }
      const before: number[] = []
      await assert.rejects((async () => { for await (const v of pool.imap(square, breaks())) before.push(v) })(), (e: Error) => e instanceof RangeError && e.message === 'source broke')
      assert.deepEqual(before, [1, 4], 'the results before the error arrive first')
      function* syncBreaks() { yield 3; throw new TypeError('sync source broke') }
      await assert.rejects((async () => { for await (const _ of pool.imapUnordered(square, syncBreaks())) { /* drain */ } })(), /sync source broke/)
      assert.throws(() => pool.imap(square, 5 as never), (e: Error) => e instanceof TypeError && /iterable or async iterable/.test(e.message))
    })

    test('imap and imapUnordered go on past a failed task: next() rejects for that item and carries on; { settled: true } yields every outcome', async () => {
      const it = pool.imap(failCustom, [1, 2, 3, 4, 5])
      assert.deepEqual(await it.next(), { value: 1, done: false })
      assert.deepEqual(await it.next(), { value: 2, done: false })
      await assert.rejects(it.next(), (e: Error) => e.name === 'CustomError' && e.message === 'bad item 3')
      assert.deepEqual(await it.next(), { value: 4, done: false }, 'the next call carries on, as Python\'s next()')
      assert.deepEqual(await it.next(), { value: 5, done: false })
      assert.deepEqual(await it.next(), { value: undefined, done: true })
      const outcome = (r: { value: unknown } | { error: unknown }) => ('error' in r ? (r.error as Error).message : r.value)
      const ordered: unknown[] = []
      for await (const r of pool.imap(failCustom, [1, 2, 3, 4, 5, 6], { settled: true, chunksize: 2 })) ordered.push(outcome(r))
      assert.deepEqual(ordered, [1, 2, 'bad item 3', 'bad item 3', 5, 6], 'one outcome per item, in order: a failed chunk fails each of its items')
      const unordered: unknown[] = []
      for await (const r of pool.imapUnordered(failCustom, [1, 2, 3, 4, 5, 6], { settled: true })) unordered.push(outcome(r))
      assert.deepEqual(unordered.sort(), [1, 2, 4, 5, 6, 'bad item 3'].sort())
      async function* breaks() { yield 1; throw new RangeError('source broke') }
      const fromSource: unknown[] = []
      for await (const r of pool.imap(square, breaks(), { settled: true })) fromSource.push(outcome(r))
      assert.deepEqual(fromSource, [1, 'source broke'], 'a source error is the last outcome')
      assert.throws(() => pool.imap(square, [1], { settled: 'yes' as never }), (e: Error) => e instanceof TypeError && /settled must be a boolean/.test(e.message))
    })

    test('imap after close(): the source is read to its end, so close(); join() before consuming finishes', async () => {
      const p = make()
      const n = 3000
      const results = p.imap(square, (function* () { for (let i = 0; i < n; i++) yield i })(), { chunksize: 2 })
      p.close()
      assert.throws(() => p.imap(square, [1]), /closed/)
      await p.join()
      const got: number[] = []
      for await (const v of results) got.push(v)
      assert.deepEqual(got, Array.from({ length: n }, (_, i) => i * i))
      const q = make()
      const stream = q.imap(sleepMs, (async function* () { for (;;) yield 5 })())
      const it = stream[Symbol.asyncIterator]()
      assert.equal((await it.next()).value, 5)
      q.terminate()
      await assert.rejects((async () => { for (;;) if ((await it.next()).done) break })(), (e) => e instanceof PoolTerminatedError)
      await q.join()
    })

    test('a task error keeps its name and message, with the remote stack as cause; map rejects with it', async () => {
      await assert.rejects(pool.apply(fail, ['boom']), (e: Error) => e instanceof RangeError && e.name === 'RangeError' && e.message === 'boom' && /at fail .*pool-targets/.test(String(e.cause)))
      await assert.rejects(pool.map(failCustom, [1, 2, 3, 4], { chunksize: 1 }), (e: Error) => e.name === 'CustomError' && e.message === 'bad item 3' && /failCustom/.test(String(e.cause)))
      const it = pool.imap(failCustom, [1, 2, 3, 4])[Symbol.asyncIterator]()
      assert.deepEqual(await it.next(), { value: 1, done: false })
      assert.deepEqual(await it.next(), { value: 2, done: false })
      await assert.rejects(it.next(), /bad item 3/)
      await assert.rejects(pool.apply(returnsFunction, []), (e: Error) => e instanceof TypeError && /return value can't be sent back/.test(e.message))
      assert.equal(await pool.apply(square, [3]), 9, 'the pool goes on')
    })

    test('get(timeout) rejects with TimeoutError and leaves the task running', async () => {
      const gate = new Gate()
      const r = pool.applyAsync(waitGate, [gate.shared, 400])
      await gate.untilStarted(1)
      await assert.rejects(r.get(20), (e) => e instanceof TimeoutError)
      assert.equal(r.ready(), false)
      assert.equal(await r.wait(10), false)
      gate.open()
      assert.equal(await r.get(), 400)
      // A bad timeout is a rejection (never a synchronous throw), before a finished task or not.
      for (const bad of [-1, Number.NaN]) {
        const got = r.get(bad)
        assert.ok(got instanceof Promise)
        await assert.rejects(got, /timeout must be a non-negative number/)
        await assert.rejects(r.wait(bad), /timeout must be a non-negative number/)
      }
    })

    test('an AbortSignal removes a task still waiting for a worker', async () => {
      // Both workers hold two gated batches (the most a worker is sent), so
      // every task submitted next waits in the parent until the gate opens.
      const gate = new Gate()
      const busy: Array<Promise<number>> = []
      for (let i = 0; i < 4; i++) {
        busy.push(pool.apply(waitGate, [gate.shared, i]))
        await new Promise((resolve) => setImmediate(resolve))
      }
      await gate.untilStarted(2)
      const ran = new Queue<number>()
      const ac = new AbortController()
      const queued = Array.from({ length: 20 }, (_, i) => pool.applyAsync(mark, [ran, i], { signal: ac.signal }))
      const kept = pool.applyAsync(mark, [ran, 99])
      await new Promise((resolve) => setImmediate(resolve))
      ac.abort(new Error('not needed'))
      gate.open()
      assert.deepEqual(await Promise.all(busy), [0, 1, 2, 3])
      const outcomes = await Promise.allSettled(queued.map((r) => r.get()))
      assert.ok(outcomes.every((o) => o.status === 'rejected' && /not needed/.test(String((o.reason as Error).message))), 'every task still waiting was removed')
      assert.equal(await kept.get(), 99, 'a task without the signal runs')
      assert.equal(ran.qsize(), 1, 'removed tasks never ran')
    })

    test('misuse: clear errors', async () => {
      for (const bad of [0, -1, 1.5]) assert.throws(() => make({ threads: bad, processes: bad }), (e: Error) => e instanceof RangeError && /positive integer/.test(e.message))
      for (const bad of [0, -2, 2.5, '3']) assert.throws(() => make({ maxTasksPerChild: bad }), (e: Error) => e instanceof RangeError && /maxTasksPerChild/.test(e.message))
      const arrow = (x: number) => x
      await assert.rejects(pool.apply(arrow, [1]), (e: Error) => e instanceof TypeError && /export it/i.test(e.message))
      await assert.rejects(pool.apply(identity, [() => 1]), (e: Error) => e instanceof TypeError && /can't be sent/.test(e.message))
      await assert.rejects(pool.map(identity, [1, () => 2, 3], { chunksize: 1 }), (e: Error) => e instanceof TypeError)
      await assert.rejects(pool.map(square, 5 as never), /iterable/)
      await assert.rejects(pool.map(square, [1], { chunksize: 0 }), (e: Error) => e instanceof RangeError && /chunksize/.test(e.message))
      await assert.rejects(pool.join(), /close\(\)/)
      const other = make()
      other.close()
      assert.throws(() => other.applyAsync(square, [1]), /closed/)
      await assert.rejects(other.apply(square, [1]), /closed/)
      await other.join()
      const third = make()
      third.terminate()
      assert.throws(() => third.applyAsync(square, [1]), /terminated/)
      await third.join()
    })

    test('initializer runs in every worker with initargs; a failing initializer rejects tasks clearly', async () => {
      const p = make({ initializer: init, initargs: ['ready'] })
      assert.deepEqual(await p.map(readInit, [1, 2, 3, 4], { chunksize: 1 }), ['ready', 'ready', 'ready', 'ready'])
      p.close(); await p.join()
      const broken = make({ initializer: initFails })
      await assert.rejects(broken.apply(square, [2]), (e: Error) => /initializer threw TypeError: init broke/.test(e.message))
      broken.terminate(); await broken.join()
    })

    test('a task module that fails to load in the workers rejects its tasks with that error, no hang', async () => {
      const p = make()
      await assert.rejects(p.apply(unloadable, [1]), /cannot load here/)
      p.terminate()
      await p.join()
    })

    test('maxTasksPerChild replaces workers', async () => {
      const p = make({ maxTasksPerChild: 2 })
      const out = await p.map(countTasks, Array.from({ length: 10 }), { chunksize: 1 })
      assert.ok(out.every(([n]) => n >= 1 && n <= 2), JSON.stringify(out))
      assert.ok(new Set(out.map(([, id]) => id)).size >= 5, JSON.stringify(out))
      p.close(); await p.join()
    })

    test('a worker that dies mid-task rejects only that task; the others arrive and the pool goes on', async () => {
      const p = make()
      const crashes: WorkerCrash[] = []
      p.on('workerCrash', (c) => crashes.push(c))
      const die = kind === 'Pool' ? selfKill : exitNow
      const many = Array.from({ length: 20 }, (_, i) => p.apply(slowSquare, [i, 5]))
      const crash = p.apply(die as (c: number) => number, [3])
      const more = Array.from({ length: 20 }, (_, i) => p.apply(square, [i]))
      await assert.rejects(crash, (e) => e instanceof WorkerCrashedError && (kind === 'Pool' ? e.reason === 'killed by SIGKILL' : e.reason === 'exit code 3'))
      assert.deepEqual(await Promise.all(many), Array.from({ length: 20 }, (_, i) => i * i))
      assert.deepEqual(await Promise.all(more), Array.from({ length: 20 }, (_, i) => i * i))
      assert.equal(await p.apply(add, [1, 1]), 2)
      assert.deepEqual(crashes.map((c) => [c.reason, c.failed, c.retried]), [[kind === 'Pool' ? 'killed by SIGKILL' : 'exit code 3', 1, 0]], "'workerCrash' told; by default the crashed task fails and never runs twice")
      p.close(); await p.join()
    })

    test('one worker, a backlog queued behind a task that crashes it: only that task rejects, the backlog runs once on the replacement', async () => {
      const p = make({ threads: 1, processes: 1 })
      const die = (kind === 'Pool' ? selfKill : exitNow) as (code: number) => number
      const ran = new Queue<number>()
      // A first crash and a first mark locate both functions, so below the
      // crash and the backlog go out together: one worker, two batches in
      // its inbox, [crash, 0…4] and [5…9].
      await assert.rejects(p.apply(die, [3]), (e) => e instanceof WorkerCrashedError)
      assert.equal(await p.apply(mark, [ran, -1]), -1)
      const crash = p.apply(die, [3])
      const backlog = Array.from({ length: 10 }, (_, i) => p.apply(mark, [ran, i]))
      await assert.rejects(crash, (e) => e instanceof WorkerCrashedError)
      const outcomes = await Promise.allSettled(backlog)
      assert.deepEqual(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason))), Array.from({ length: 10 }, (_, i) => i), 'every task queued behind the crash ran')
      const order: number[] = []
      while (ran.qsize() > 0) order.push(ran.getSync())
      assert.deepEqual(order, [-1, ...Array.from({ length: 10 }, (_, i) => i)], 'each ran once, in order')
      p.close(); await p.join()
    })

    test("'workerCrash' and 'taskRetry' events; maxAttempts runs a task whose worker died again, then rejects", async () => {
      const how = kind === 'Pool' ? 'kill' : 'exit'
      const reason = kind === 'Pool' ? 'killed by SIGKILL' : 'exit code 3'
      const p = make({ threads: 1, processes: 1, maxAttempts: 2 })
      const crashes: WorkerCrash[] = []
      const retries: TaskRetry[] = []
      p.on('workerCrash', (c) => crashes.push(c)).on('taskRetry', (r) => retries.push(r))
      const runs = new RawArray('i', 1)
      assert.equal(await p.apply(crashOnce, [runs, how]), 2, 'the second run, on a new worker, returned')
      assert.equal(crashes.length, 1)
      assert.equal(crashes[0].reason, reason)
      assert.deepEqual([crashes[0].failed, crashes[0].retried], [0, 1])
      assert.deepEqual(retries.map((r) => [r.task, r.attempt, r.maxAttempts, r.reason]), [['crashOnce', 2, 2, reason]])
      const die = (kind === 'Pool' ? selfKill : exitNow) as (code: number) => number
      await assert.rejects(p.apply(die, [3]), (e) => e instanceof WorkerCrashedError && /on the last of 2 runs — maxAttempts reached/.test(e.message))
      assert.equal(crashes.length, 3, 'each death is told')
      assert.equal(retries.length, 2)
      assert.deepEqual(pick(p._stats(), 'state', 'size', 'crashed', 'retried', 'failed', 'done', 'busy', 'backlog'), { state: 'running', size: 1, crashed: 3, retried: 2, failed: 1, done: 1, busy: 0, backlog: 0 })
      assert.throws(() => make({ maxAttempts: 0 }), (e: Error) => e instanceof RangeError && /maxAttempts must be a positive integer/.test(e.message))
      assert.throws(() => p.on('crash' as never, () => {}), (e: Error) => e instanceof TypeError && /'workerCrash' or 'taskRetry'/.test(e.message))
      p.close(); await p.join()
    })

    test('_stats(): workers alive and busy, the backlog, tasks done and failed, in one snapshot', async () => {
      const p = make()
      const gate = new Gate()
      const held = [p.apply(waitGate, [gate.shared, 1]), p.apply(waitGate, [gate.shared, 2])]
      await gate.untilStarted(2)
      const more = Array.from({ length: 40 }, (_, i) => p.apply(square, [i]))
      await new Promise((resolve) => setImmediate(resolve))
      const busy = p._stats()
      try {
        assert.equal(busy.alive, 2)
        assert.equal(busy.busy, 2)
        assert.equal(busy.backlog + busy.inFlight, 42, 'every unfinished task is waiting or in flight')
        assert.ok(busy.backlog > 0, 'two batches a worker at most: the rest waits in the parent')
      } finally {
        gate.open()
      }
      await Promise.all([...held, ...more])
      await assert.rejects(p.apply(fail, ['x']))
      assert.deepEqual(pick(p._stats(), 'busy', 'backlog', 'inFlight', 'done', 'failed', 'crashed'), { busy: 0, backlog: 0, inFlight: 0, done: 42, failed: 1, crashed: 0 })
      p.close()
      assert.equal(p._stats().state, 'closed')
      await p.join()
    })

    test('terminate() with thousands queued rejects them promptly; await using closes and joins', async () => {
      const p = make()
      const gate = new Gate()
      const running = [p.apply(waitGate, [gate.shared, 1]), p.apply(waitGate, [gate.shared, 2])]
      await gate.untilStarted(2)
      const results = Array.from({ length: 5000 }, () => p.apply(sleepMs, [5]))
      await new Promise((resolve) => setImmediate(resolve))
      p.terminate()
      const settled = await Promise.allSettled([...running, ...results])
      assert.ok(settled.every((s) => s.status === 'rejected' && s.reason instanceof PoolTerminatedError), 'every unfinished task rejects')
      await p.join()
      let value: number | undefined
      {
        await using q = make()
        q.applyAsync(sleepMs, [30], { callback: (v) => { value = v } })
      }
      assert.equal(value, 30)
    })
  })
}
