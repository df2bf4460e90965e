// Segments against a hostile process of the same user: a segment can't be
// shrunk through /proc/PID/fd/N (its holders would die of SIGBUS), and the
// attach check maps only skein's sealed segments with a full token.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Event, Process, Queue, SharedMemory } from '../../src/index.js'
import { native } from '../../src/native.js'
import { Segment, type SegmentDescriptor } from '../../src/shm/segment.js'
import { holdSegment } from '../fixtures/seal-targets.js'

test('truncating a segment through /proc/PID/fd/N fails (EPERM), and its holder lives on', async () => {
  const out = new Queue<SegmentDescriptor>()
  const go = new Event()
  const p = new Process({ target: holdSegment, args: [out, go] })
  await p.start()
  try {
    const d = await out.get({ timeout: 60_000 })
    const path = `/proc/${d.pid}/fd/${d.fd}`
    for (const size of [0, 4096, d.size - 1]) {
      assert.throws(() => truncateSync(path, size), { code: 'EPERM' }, `truncate to ${size}`)
    }
  } finally {
    go.set()
    await p.join(60_000)
  }
  assert.equal(p.exitCode, 0, 'the holder touched every page after the attempts: no SIGBUS')
})

test('attach maps only a sealed skein segment named by a full token', () => {
  const segment = Segment.create(4096)
  const d = segment.describe()
  // The registry has this token; a short or empty one must not reach the file at /proc/self/fd/N.
  for (const token of ['', 'x', d.token.slice(0, 15)]) {
    assert.equal(native.attachSegment(token, process.pid, d.fd, d.size), undefined, `token ${JSON.stringify(token)}`)
    assert.throws(() => Segment.attach({ ...d, token }), { name: 'TypeError', message: /descriptor is damaged/ })
  }
  for (const bad of [{ pid: 0 }, { fd: -1 }, { size: 8 }, { pid: 1.5 }, { size: 'x' }]) {
    assert.throws(() => Segment.attach({ ...d, token: 'AAAAAAAAAAAAAAAA', ...bad } as never), TypeError, JSON.stringify(bad))
  }
  // An ordinary file that starts with a valid-looking token: mapped as shared memory before, refused now.
  const dir = mkdtempSync(join(tmpdir(), 'skein-seal-'))
  const file = join(dir, 'victim')
  writeFileSync(file, 'AAAAAAAAAAAAAAAA' + '\0'.repeat(4080))
  const fd = openSync(file, 'r+')
  try {
    assert.equal(native.attachSegment('AAAAAAAAAAAAAAAA', process.pid, fd, 4096), undefined)
    assert.throws(() => Segment.attach({ token: 'AAAAAAAAAAAAAAAA', pid: process.pid, fd, size: 4096 }), /holds no such segment/)
  } finally {
    closeSync(fd)
    rmSync(dir, { recursive: true, force: true })
  }
  assert.ok(Segment.attach(d) === segment, 'a good descriptor still attaches')
})

test('SharedMemory: a size no buf can view, or no mmap can map, leaves nothing in /dev/shm', () => {
  const name = `skein-test-${process.pid}-huge`
  assert.throws(() => new SharedMemory({ name, create: true, size: 2 ** 50 }), { name: 'RangeError', message: /more than one segment's buf can view/ })
  assert.equal(existsSync(`/dev/shm/${name}`), false)
  // Under the JS checks, the native step itself: ftruncate succeeds (tmpfs is sparse), mmap fails.
  assert.throws(() => native.openNamed(name, 2 ** 50, true), /mmap/)
  assert.equal(existsSync(`/dev/shm/${name}`), false, 'the file was unlinked on the mmap failure')
})

test("SharedMemory: '.' and '..' are names of directories, not segments", () => {
  for (const name of ['.', '..']) {
    assert.throws(() => new SharedMemory({ name, create: true, size: 16 }), { name: 'TypeError', message: /not '\.' or '\.\.'/ })
    assert.throws(() => new SharedMemory({ name }), TypeError)
  }
})

test('the holder itself can not shrink it either, and reads and writes the whole segment as before', () => {
  const segment = Segment.create(1 << 16)
  const path = `/proc/self/fd/${segment.describe().fd}`
  const fd = openSync(path, 'r+')
  try {
    assert.throws(() => ftruncateSync(fd, 0), { code: 'EPERM' })
  } finally {
    closeSync(fd)
  }
  new Uint8Array(segment.sab).fill(3, 16)
  assert.equal(new Uint8Array(segment.sab)[(1 << 16) - 1], 3)
})
