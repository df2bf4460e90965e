/**
 * The live registry, read back through /proc as `skein top` reads it (here
 * from the same process: `snapshot({ pid: process.pid })` opens its own
 * /proc/PID/fd files): names and their defaults, holds, waits published only
 * while a waiter sleeps, semaphore permits, Thread roles, the memfd itself.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readlinkSync } from 'node:fs'
import { Lock, RLock, Semaphore, BoundedSemaphore, Thread, snapshot } from '../../src/index.js'
import type { ThreadSnapshot } from '../../src/index.js'
import { eventually } from '../helpers/program.js'
import { holdThenSignal, blockOnLock, binarySemaphoreWait } from '../fixtures/observe-targets.js'

const me = (): ThreadSnapshot => snapshot({ pid: process.pid }).processes.find((p) => p.pid === process.pid)!.threads.find((t) => t.tid === process.pid)!
const threads = (): ThreadSnapshot[] => snapshot({ pid: process.pid }).processes.find((p) => p.pid === process.pid)?.threads ?? []

describe('names', () => {
  test('a name given is kept; an unnamed object is named after its kind and the line that created it', () => {
    const named = new Lock({ name: 'orders' })
    const line = Number(new Error().stack!.split('\n')[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1
    const unnamed = new Lock()
    assert.equal(named.name, 'orders')
    assert.equal(unnamed.name, `Lock@test/observe/registry.test.ts:${line}`)
    assert.match(new RLock().name, /^RLock@test\/observe\/registry\.test\.ts:\d+$/)
    assert.match(new BoundedSemaphore(2).name, /^BoundedSemaphore@test\/observe\/registry\.test\.ts:\d+$/)
    assert.equal(new Semaphore(1, { name: 'slots' }).name, 'slots')
  })

  test('bad names and options are refused with a clear TypeError', () => {
    assert.throws(() => new Lock({ name: '' }), /name must be a non-empty string of at most 200 printable characters/)
    assert.throws(() => new Lock({ name: 'a\nb' }), TypeError)
    assert.throws(() => new Lock({ name: 'x'.repeat(201) }), TypeError)
    assert.throws(() => new Lock({ name: 42 as unknown as string }), TypeError)
    assert.throws(() => new Lock(5 as never), /options must be an object such as \{ name: 'orders' \}/)
    assert.throws(() => new Semaphore(1, null as never), TypeError)
  })
})

describe('what a thread holds and waits for', () => {
  test('a held lock appears under its holder, by name; released, it is gone', () => {
    const lock = new Lock({ name: 'held-here' })
    const rlock = new RLock({ name: 're-entered' })
    lock.acquireSync()
    rlock.acquireSync()
    rlock.acquireSync()
    const holds = me().holds.map((h) => `${h.kind} ${h.name}`)
    assert.ok(holds.includes('Lock held-here') && holds.includes('RLock re-entered'), holds.join(', '))
    lock.release()
    rlock.release()
    rlock.release()
    assert.ok(!me().holds.some((h) => h.name === 'held-here' || h.name === 're-entered'))
  })

  test('semaphore permits are counted per holder', () => {
    const sem = new Semaphore(3, { name: 'pool-slots' })
    sem.acquireSync()
    sem.acquireSync()
    assert.deepEqual(me().holds.filter((h) => h.name === 'pool-slots'), [{ kind: 'Semaphore', name: 'pool-slots', permits: 2 }])
    sem.release()
    assert.equal(me().holds.find((h) => h.name === 'pool-slots')?.permits, 1)
    sem.release()
    assert.equal(me().holds.find((h) => h.name === 'pool-slots'), undefined)
  })

  test('an uncontended acquire publishes no wait; a waiter that sleeps does, until it wakes', async () => {
    const lock = new Lock({ name: 'contended' })
    await lock.acquire()
    lock.release()
    assert.deepEqual(me().waits, [])
    // A Thread holds the lock; this thread's task sleeps on it.
    const ready = new Int32Array(new SharedArrayBuffer(8))
    const t = new Thread({ target: holdThenSignal, args: [lock, ready.buffer], name: 'holder' })
    await t.start()
    await eventually('the thread holding the lock', () => (Atomics.load(ready, 0) === 1 ? true : undefined))
    const waiting = lock.acquire()
    const w = (await eventually('the published wait', () => me().waits.find((x) => x.name === 'contended')))
    assert.equal(w.kind, 'Lock')
    assert.equal(w.op, 'acquire')
    assert.equal(w.form, 'async')
    assert.match(w.line ?? '', /registry\.test\.ts:\d+/)
    assert.deepEqual(w.heldBy?.map((h) => h.name), ['holder'])
    const holder = threads().find((x) => x.name === 'holder')!
    assert.equal(holder.role, 'thread')
    assert.deepEqual(holder.holds, [{ kind: 'Lock', name: 'contended' }])
    Atomics.store(ready, 1, 1) // let the thread release
    Atomics.notify(ready, 1)
    assert.equal(await waiting, true)
    assert.deepEqual(me().waits, [])
    lock.release()
    await t.join()
  })

  test('a blocking waiter in another thread: published while it sleeps, with its line, gone when it wakes', async () => {
    const lock = new Lock({ name: 'blocking' })
    lock.acquireSync()
    const t = new Thread({ target: blockOnLock, args: [lock], name: 'blocked' })
    await t.start()
    const blocked = await eventually('the blocked thread\'s wait, with its line', () => {
      const found = threads().find((x) => x.name === 'blocked')
      return found?.waits[0]?.line !== undefined ? found : undefined
    })
    const w = blocked.waits[0]!
    assert.equal(w.form, 'sync')
    assert.equal(w.name, 'blocking')
    assert.match(w.line!, /observe-targets\.ts:\d+$/)
    assert.equal(w.heldBy?.[0]?.tid, process.pid)
    lock.release()
    await t.join()
    // The same kernel thread, its wait gone, back to being an idle worker.
    const after = await eventually('the worker idle again', () => threads().find((x) => x.tid === blocked.tid && x.role === 'idle worker'))
    assert.deepEqual(after.waits, [])
  })
})

test('a Lock used as a binary semaphore (a thread waits, with a timeout, to take again what another thread releases) is no deadlock', async () => {
  const lock = new Lock({ name: 'signal' })
  const out = new Int32Array(new SharedArrayBuffer(8))
  const t = new Thread({ target: binarySemaphoreWait, args: [lock, out], name: 'self-waiter' })
  await t.start()
  const waiting = await eventually('the waiter asleep on the Lock it holds', () => threads().find((x) => x.name === 'self-waiter' && x.waits[0]?.name === 'signal'))
  assert.equal(waiting.waits[0]!.heldBy?.[0]?.tid, waiting.tid, 'it holds what it waits for')
  // Past two deadlock checks of the waiter (100 ms, then every 250 ms) before the release comes.
  await new Promise((resolve) => setTimeout(resolve, 700))
  assert.deepEqual(snapshot({ pid: process.pid }).deadlocks, [], 'snapshot() names no deadlock')
  lock.release() // from this thread: Python allows any thread to release a Lock
  await t.join(30_000)
  assert.equal(out[0], 1, 'taken again, not failed with a DeadlockError (3) or timed out (2)')
})

test('each thread maps one memfd named skein-registry, visible in /proc/PID/fd', async () => {
  new Lock() // this thread's registry exists once it made a struct
  const links = () => readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`) } catch { return '' } })
  assert.ok(links().filter((l) => l === '/memfd:skein-registry (deleted)').length >= 1)
  const names = threads().map((x) => x.name)
  assert.ok(names.includes('MainThread'), names.join(', '))
})
