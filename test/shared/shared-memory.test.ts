import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { SharedMemory } from '../../src/shared/index.js'
import { startPeer } from './peers.js'

const mine = new Set<string>()
const listed = (): string[] => readdirSync('/dev/shm').filter((n) => mine.has(n))
const create = (options: { name?: string; size: number }): SharedMemory => {
  const shm = new SharedMemory({ ...options, create: true })
  mine.add(shm.name)
  return shm
}

test('create, attach by name from a child process, close, unlink', async () => {
  const shm = create({ size: 4096 })
  assert.match(shm.name, /^skein-[0-9a-f]{16}$/)
  assert.equal(shm.size, 4096)
  assert.equal(shm.buf.length, 4096)
  assert.ok(listed().includes(shm.name))
  shm.buf.set([1, 2, 3, 4])
  const peer = startPeer('process')
  try {
    assert.deepEqual(await peer.run('attach', { name: shm.name }), { seen: [1, 2, 3, 4], size: 4096 })
    assert.equal(shm.buf[4], 99)
    assert.equal(await peer.run('shm', { shm }), shm.name) // sent as a handle, revived by name
    assert.equal(shm.buf[5], 77)
  } finally {
    await peer.close()
  }
  shm.close()
  shm.close() // idempotent
  shm.unlink()
  assert.deepEqual(listed(), [])
  assert.throws(() => new SharedMemory({ name: shm.name }), { code: 'ENOENT', message: /no segment named/ })
  assert.throws(() => shm.unlink(), { code: 'ENOENT' })
})

test('a name of our own; creating it twice is EEXIST; attaching reads its size', () => {
  const name = `skein-test-${process.pid}`
  const shm = create({ name, size: 10 })
  assert.equal(shm.name, name)
  assert.throws(() => create({ name, size: 10 }), { code: 'EEXIST', message: /already exists/ })
  const other = new SharedMemory({ name, size: 999 })
  assert.equal(other.size, 10)
  other.buf[9] = 5
  assert.equal(shm.buf[9], 5)
  other.close()
  shm.unlink()
  assert.equal(shm.buf[9], 5, 'unlink removes the name, not the memory')
  shm.close()
  assert.deepEqual(listed(), [])
})

test('use after close is a clear error', () => {
  const shm = create({ size: 8 })
  shm.unlink()
  shm.close()
  assert.equal(shm.closed, true)
  assert.throws(() => shm.buf, { code: 'ERR_SKEIN_CLOSED', message: /is closed/ })
})

test('bad options', () => {
  for (const size of [0, -1, 1.5, undefined]) {
    assert.throws(() => new SharedMemory({ create: true, size }), { name: 'RangeError', message: /options.size/ })
  }
  assert.throws(() => new SharedMemory({ name: 'a/b', create: true, size: 8 }), { name: 'TypeError', message: /'\/'/ })
  assert.throws(() => new SharedMemory({ name: '', create: true, size: 8 }), TypeError)
  assert.throws(() => new SharedMemory({}), { name: 'TypeError', message: /options.name is required/ })
  assert.deepEqual(listed(), [])
})

test('with using, close happens at scope end', () => {
  let kept: SharedMemory
  {
    using shm = create({ size: 8 })
    kept = shm
    shm.unlink()
  }
  assert.equal(kept.closed, true)
})

test('after everything is unlinked nothing of ours is left in /dev/shm', () => {
  assert.deepEqual(listed(), [])
  assert.deepEqual(readdirSync('/dev/shm').filter((n) => mine.has(n) || n === `skein-test-${process.pid}`), [])
})

test('the resource tracker unlinks what a process created and never unlinked, with a warning', async () => {
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const run = promisify(execFile)
  const leaker = new URL('../fixtures/shared-leaker.ts', import.meta.url).pathname
  for (const how of ['end', 'exit']) {
    const name = `skein-leak-${process.pid}-${how}`
    const { stderr } = await run(process.execPath, ['--import', 'tsx', leaker, name, 'track', how])
    assert.match(stderr, new RegExp(`leaked shared_memory objects.*'${name}'`))
    assert.equal(readdirSync('/dev/shm').includes(name), false)
  }
  const name = `skein-leak-${process.pid}-untracked`
  const { stderr } = await run(process.execPath, ['--import', 'tsx', leaker, name, 'untracked', 'end'])
  assert.equal(stderr, '')
  assert.equal(readdirSync('/dev/shm').includes(name), true, '{ track: false } leaves it')
  const left = new SharedMemory({ name })
  assert.equal(left.buf[0], 1)
  left.close()
  left.unlink()
  assert.equal(readdirSync('/dev/shm').includes(name), false)
})
