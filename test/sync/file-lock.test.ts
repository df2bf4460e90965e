import { test } from 'node:test'
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { FileLock } from '../../src/sync/index.js'
import { RawArray } from '../../src/shared/index.js'
import { startPeer } from '../helpers/peer.js'
import { tempDir } from '../helpers/temp-dir.js'

const dir = tempDir('skein-filelock-')

test('two FileLocks on one path exclude each other; release and close', async () => {
  const path = join(dir, 'a.lock')
  const a = new FileLock(path)
  const b = new FileLock(path)
  assert.equal(await a.acquire(), true)
  assert.equal(await b.acquire({ blocking: false }), false)
  assert.equal(b.acquireSync({ timeout: 20 }), false)
  assert.equal(await b.acquire({ timeout: 20 }), false)
  setTimeout(() => a.release(), 10)
  assert.equal(await b.acquire({ timeout: 5000 }), true)
  b.release()
  assert.throws(() => b.release(), RangeError)
  a.close()
  b.close()
  await assert.rejects(a.acquire(), /closed/)
})

test('tasks of one thread queue on one FileLock', async () => {
  const lock = new FileLock(join(dir, 'b.lock'))
  let inside = 0
  let peak = 0
  await Promise.all(Array.from({ length: 10 }, () => lock.withLock(async () => {
    inside++
    peak = Math.max(peak, inside)
    await new Promise((r) => setTimeout(r, 1))
    inside--
  })))
  assert.equal(peak, 1)
  lock.close()
})

test("the lock file is created 0600 (another user can't open it to hold the lock), unless { mode } says otherwise", () => {
  const mine = join(dir, 'private.lock')
  new FileLock(mine).close()
  assert.equal(statSync(mine).mode & 0o777, 0o600)
  const shared = join(dir, 'group.lock')
  new FileLock(shared, { mode: 0o640 }).close()
  assert.equal(statSync(shared).mode & 0o777, 0o640 & ~process.umask())
  // -0 is an integer in range: the file is created with mode 0 (Node 20's openSync aborted the whole process on -0; the fuzz test found it).
  const zero = join(dir, 'zero.lock')
  new FileLock(zero, { mode: -0 }).close()
  assert.equal(statSync(zero).mode & 0o777, 0)
  for (const mode of [-1, 0o1000, 1.5, '600']) {
    assert.throws(() => new FileLock(join(dir, 'bad.lock'), { mode: mode as never }), { name: 'TypeError', message: /mode must be permission bits/ })
  }
})

test('misuse: empty path, missing folder', () => {
  assert.throws(() => new FileLock(''), TypeError)
  assert.throws(() => new FileLock(join(dir, 'no-such-dir', 'x.lock')), /cannot open lock file/)
})

test('a FileLock held by a process is released when that process is SIGKILLed', async () => {
  const path = join(dir, 'c.lock')
  const lock = new FileLock(path)
  const marker = new RawArray('i', 1)
  const peer = await startPeer('process')
  assert.equal(await peer.call('fileLockHold', lock, marker), true)
  assert.equal(await lock.acquire({ blocking: false }), false)
  await peer.kill('SIGKILL')
  assert.equal(await lock.acquire({ timeout: 10_000 }), true)
  lock.close()
})

test('a FileLock passed to another process is the same file lock', async () => {
  const lock = new FileLock(join(dir, 'd.lock'))
  const peer = await startPeer('process')
  try {
    await lock.acquire()
    assert.equal(await peer.call('fileLockTry', lock), false)
    lock.release()
    assert.equal(await peer.call('fileLockTry', lock), true)
  } finally {
    lock.close()
    await peer.close()
  }
})
