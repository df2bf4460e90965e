/**
 * Errors that point at the culprit: a withLock/hold that times out says who
 * holds the lock (process, thread, name, role, how long at least), the
 * semaphore's permit holders, the FileLock's holding process.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Event, FileLock, Lock, Process, Queue, Semaphore, Thread, TimeoutError } from '../../src/index.js'
import { holdFile, holdUntil } from '../fixtures/observe-targets.js'

/** Runs `fn` while a Thread or Process named `name` holds `lock`. */
async function whileHeld(Kind: typeof Thread | typeof Process, name: string, target: (...a: never[]) => unknown, args: unknown[], fn: () => Promise<void>): Promise<void> {
  const held = new Event()
  const release = new Event()
  const holder = new Kind({ target, args: [...args, held, release], name })
  await holder.start()
  await held.wait()
  try {
    await fn()
  } finally {
    release.set()
    await holder.join()
  }
}

test('a Lock held by a Thread: withLock times out naming the thread, its process and for how long', async () => {
  const lock = new Lock({ name: 'ledger' })
  await whileHeld(Thread, 'bookkeeper', holdUntil, [lock], async () => {
    const error = await lock.withLock(() => 'never', { timeout: 150 }).then(() => undefined, (e: unknown) => e)
    assert.ok(error instanceof TimeoutError)
    assert.match(error.message, /^Lock "ledger": not acquired before the timeout: held by thread "bookkeeper" \(tid \d+\) of process "MainProcess" \(pid \d+\), a thread, held for at least \d+ ms/)
  })
})

test('a Lock held by another process: hold() and withLockSync name the process', async () => {
  const lock = new Lock({ name: 'inventory' })
  await whileHeld(Process, 'Warehouse', holdUntil, [lock], async () => {
    await assert.rejects(lock.hold({ timeout: 100 }), /Lock "inventory": not acquired before the timeout: held by the main thread of process "Warehouse" \(pid \d+\), a process/)
    assert.throws(() => lock.withLockSync(() => 0, { timeout: 100 }), /held by the main thread of process "Warehouse"/)
  })
})

test('a Semaphore whose permit a Thread holds: the timeout lists the permit holders', async () => {
  const sem = new Semaphore(1, { name: 'printer' })
  await whileHeld(Thread, 'spooler', holdUntil, [sem], async () => {
    assert.throws(() => sem.withLockSync(() => 0, { timeout: 100 }), /Semaphore "printer": not acquired before the timeout: no permit is free; held: 1 by thread "spooler" \(tid \d+\) of process "MainProcess"/)
  })
})

test('a FileLock held by another process: the timeout names it (from /proc/locks)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skein-culprit-'))
  const path = join(dir, 'lockfile')
  try {
    await whileHeld(Process, 'Backup', holdFile, [path], async () => {
      const lock = new FileLock(path)
      await assert.rejects(lock.withLock(() => 0, { timeout: 100 }), /FileLock\(.*lockfile\): not acquired before the timeout: held by process "Backup" \(pid \d+\)/)
      lock.close()
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a timeout\'s description is written when the message is first read, once (polling with short timeouts does not read /proc)', async () => {
  const { describedLater, QueueEmptyError } = await import('../../src/errors.js')
  let calls = 0
  const error = describedLater(new QueueEmptyError('cheap'), () => { calls++; return 'who else holds it: described' })
  assert.equal(calls, 0, 'nothing described at the throw')
  assert.match(error.stack!, /^QueueEmptyError: who else holds it: described/)
  assert.equal(error.message, 'who else holds it: described')
  assert.equal(String(error), 'QueueEmptyError: who else holds it: described')
  assert.equal(calls, 1, 'described once')
  const q = new Queue<number>(1, { name: 'polled' })
  const timedOut = (() => { try { q.getSync({ timeout: 1 }) } catch (e) { return e as Error } })()!
  assert.ok(timedOut instanceof QueueEmptyError)
  assert.match(timedOut.message, /"polled"/)
  q.close()
})
