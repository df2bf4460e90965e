/**
 * Threads on warm, reused workers: a worker runs one Thread after another,
 * and each Thread is exactly a new thread to the code it runs.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MessageChannel } from 'node:worker_threads'
import { Thread, activeCount, enumerate } from '../../src/thread/index.js'
import { Lock, RLock } from '../../src/sync/index.js'
import { poolState } from '../../src/thread/worker-pool.js'
import { describe, doubler, fail, keepLock, leaveServer, leaveTimer, nap, probeLock, recoverLock, where } from '../fixtures/thread-reuse-targets.js'
import { runScript } from '../fixtures/script.js'

const cells = (n: number) => new Int32Array(new SharedArrayBuffer(4 * n))

async function run(thread: Thread): Promise<Thread> {
  await thread.start()
  await thread.join(30_000)
  assert.equal(thread.isAlive(), false, `${thread.name} still runs`)
  return thread
}

test('back-to-back threads reuse one worker; module state persists; fresh: true gets a new worker', async () => {
  const out = cells(6)
  await run(new Thread({ target: where, args: [out, 0] }))
  await run(new Thread({ target: where, args: [out, 2] }))
  assert.ok(out[0]! > 0)
  assert.equal(out[2], out[0], 'the second thread ran on the first one\'s worker')
  assert.equal(out[3], out[1]! + 1, 'module state of the target\'s module persists on a reused worker')
  const fresh = await run(new Thread({ target: where, args: [out, 4], fresh: true }))
  assert.equal(fresh.exitCode, 0)
  assert.notEqual(out[4], out[0], 'a fresh thread runs on a worker of its own')
  assert.equal(out[5], 1, 'a fresh worker imports the target\'s module afresh')
  assert.throws(() => new Thread({ target: where, fresh: 'yes' as never }), /options.fresh must be a boolean/)
})

test('currentThread(), arguments and ports are the new thread\'s on a reused worker', async () => {
  const seen: Array<Record<string, unknown>> = []
  const ids: number[] = []
  for (const [name, daemon] of [['first', false], ['second', true], ['third', false]] as const) {
    const { port1, port2 } = new MessageChannel()
    const got = new Promise<Record<string, unknown>>((resolve) => port1.once('message', resolve))
    const t = await run(new Thread({ target: describe, args: [port2, `tag-${name}`], name, daemon }))
    seen.push(await got)
    port1.close()
    ids.push(t.nativeId!)
    assert.equal(t.exitCode, 0)
  }
  assert.deepEqual(seen.map((s) => [s.name, s.daemon, s.tag]), [['first', false, 'tag-first'], ['second', true, 'tag-second'], ['third', false, 'tag-third']])
  assert.ok(seen.every((s, i) => s.nativeId === ids[i]), 'nativeId inside is the one the parent sees')
  assert.equal(new Set(ids).size < ids.length, true, 'some of them shared a worker')
})

test('activeCount() and enumerate() count running threads, never idle workers', async () => {
  const before = activeCount()
  for (let i = 0; i < 3; i++) await run(new Thread({ target: nap, args: [1] }))
  assert.ok(poolState().idle >= 1, 'a worker waits idle')
  assert.equal(activeCount(), before)
  const t = new Thread({ target: nap, args: [300] })
  await t.start()
  assert.equal(activeCount(), before + 1)
  assert.ok(enumerate().includes(t))
  await t.join()
  assert.equal(activeCount(), before)
  assert.ok(!enumerate().includes(t))
})

test('a throwing target exits 1 with its stack printed, and its worker runs the next thread', async () => {
  const out = cells(2)
  const bad = await run(new Thread({ target: fail, args: [out] }))
  assert.equal(bad.exitCode, 1)
  const next = await run(new Thread({ target: where, args: [out, 0] }))
  assert.equal(next.exitCode, 0)
  const reused = new Thread({ target: fail, args: [out] })
  await run(reused)
  const after = await run(new Thread({ target: where, args: [out, 0] }))
  assert.equal(after.nativeId, reused.nativeId, 'the worker of a failed target was reused')
})

for (const Kind of [Lock, RLock]) {
  test(`a ${Kind.name} left held by a returned target is recovered, and never owned by the next thread on that worker`, async () => {
    const lock = new Kind()
    const held = cells(1)
    const holder = await run(new Thread({ target: keepLock, args: [lock, held] }))
    assert.equal(holder.exitCode, 0)
    assert.equal(lock.locked(), true)
    const probe = cells(2)
    const next = await run(new Thread({ target: probeLock, args: [lock, probe] }))
    assert.equal(probe[0], held[0], 'the probe ran on the holder\'s worker')
    assert.equal(next.exitCode, 0)
    assert.equal(probe[1], 0, 'the next thread on that worker does not own (or re-enter) the lock')
    assert.equal(lock.locked(), true)
    const got = cells(2)
    await run(new Thread({ target: recoverLock, args: [lock, got] }))
    assert.deepEqual([...got], [1, 1], 'a waiting thread recovered it (recovered === true)')
    // and from the main thread too
    await run(new Thread({ target: keepLock, args: [lock, held] }))
    assert.equal(lock.acquireSync({ timeout: 20_000 }), true)
    assert.equal(lock.recovered, true)
    lock.release()
    assert.equal(lock.locked(), false)
  })
}

test('a thread ends when its target returns though it left a timer or a server open; that worker is retired', async () => {
  for (const target of [leaveTimer, leaveServer]) {
    const out = cells(2)
    const t = await run(new Thread({ target, args: [out] }))
    assert.equal(t.exitCode, 0)
    const next = cells(2)
    await run(new Thread({ target: where, args: [next, 0] }))
    assert.notEqual(next[0], out[0], `the worker left with an open ${target.name === 'leaveTimer' ? 'timer' : 'server'} was not reused`)
  }
})

test('handles a returned target left open run on (the relay pattern) on a worker that is never reused', async () => {
  const { port1, port2 } = new MessageChannel()
  const out = cells(2)
  const t = await run(new Thread({ target: doubler, args: [port2, out] }))
  assert.equal(t.exitCode, 0, 'the thread ended when its target returned')
  const answer = new Promise((resolve) => port1.once('message', resolve))
  port1.postMessage(21)
  assert.equal(await answer, 42, 'its port listener still answers')
  port1.postMessage(null)
  port1.close()
  const next = cells(2)
  await run(new Thread({ target: where, args: [next, 0] }))
  assert.notEqual(next[0], out[0], 'that worker was not given another thread')
})

test('joinSync sees a reused worker\'s thread end', async () => {
  for (let i = 0; i < 3; i++) {
    const t = new Thread({ target: nap, args: [20] })
    await t.start()
    t.joinSync(30_000)
    assert.equal(t.isAlive(), false)
    assert.equal(t.exitCode, 0)
  }
})

test('a script whose thread left a timer running exits after the join; non-daemon threads are waited for', async () => {
  const r = await runScript('thread-left-timer.ts', [], 60_000)
  assert.equal(r.signal, null, 'the script hung (killed by the hang guard)')
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.stdout.trim().split('\n'), ['joined 0 alive=false', 'main done', 'non-daemon thread done'])
})

test('a throwing target prints its stack (Python-style) and exits 1; the same worker runs the next thread', async () => {
  const r = await runScript('thread-throws-reused.ts', [], 60_000)
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout.trim(), 'bad 1 good 0 same worker true')
  assert.match(r.stderr, /Thread exploder:\n.*Error: boom from the target\n\s+at explode /)
})

test('a daemon thread on a reused worker is ended at exit', async () => {
  const r = await runScript('thread-daemon-reused.ts', [], 60_000)
  assert.equal(r.signal, null, 'the script hung (killed by the hang guard)')
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.stdout.trim().split('\n'), ['same worker true', 'main done'])
})

test('a burst of threads started together all run, and many back to back reuse few workers', async () => {
  const out = cells(64)
  const burst = Array.from({ length: 8 }, (_, i) => new Thread({ target: where, args: [out, 2 * i] }))
  await Promise.all(burst.map((t) => t.start()))
  await Promise.all(burst.map((t) => t.join(30_000)))
  assert.ok(burst.every((t) => t.exitCode === 0))
  const tids = new Set<number>()
  for (let i = 0; i < 30; i++) {
    const t = await run(new Thread({ target: where, args: [out, 0] }))
    tids.add(t.nativeId!)
  }
  assert.ok(tids.size <= 4, `30 sequential threads used ${tids.size} workers`)
})
