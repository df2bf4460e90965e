// Shared objects passed as Process and Thread arguments are the same objects in the child.
import { test } from 'node:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { Process, Thread, Lock, Value, Barrier, Event } from '../../src/index.js'
import { lockedAdd, meetAndRecord, countArrival, waitThenSet } from '../fixtures/sync-targets.js'
import { tempDir } from '../helpers/temp-dir.js'

test('4 processes x 2000 increments under one Lock passed as an argument are exact', async () => {
  const lock = new Lock()
  const total = new Value('i', 0, { lock: false })
  const ps = [0, 1, 2, 3].map(() => new Process({ target: lockedAdd, args: [lock, total, 2000] }))
  for (const p of ps) await p.start()
  for (const p of ps) await p.join(60_000)
  assert.deepEqual(ps.map((p) => p.exitCode), [0, 0, 0, 0])
  assert.equal(total.value, 8000)
})

test('4 threads x 2000 increments under one Lock are exact', async () => {
  const lock = new Lock()
  const total = new Value('i', 0, { lock: false })
  const ts = [0, 1, 2, 3].map(() => new Thread({ target: lockedAdd, args: [lock, total, 2000] }))
  for (const t of ts) await t.start()
  for (const t of ts) await t.join(60_000)
  assert.equal(total.value, 8000)
})

test('a Barrier with an exported action, shared by this thread, a process and a thread', async () => {
  const log = join(tempDir('skein-barrier-'), 'action.log')
  writeFileSync(log, '')
  process.env.SKEIN_ACTION_LOG = log
  const barrier = new Barrier(3, { action: countArrival })
  const a = new Value('i', 0)
  const b = new Value('i', 0)
  const p = new Process({ target: meetAndRecord, args: [barrier, a] })
  const t = new Thread({ target: meetAndRecord, args: [barrier, b] })
  await p.start()
  await t.start()
  const index = await barrier.wait(30_000)
  await p.join(30_000)
  await t.join(30_000)
  assert.ok(index >= 0 && index < 3)
  assert.equal(p.exitCode, 0)
  assert.deepEqual([a.value, b.value], [1, 1])
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1, 'the action ran exactly once')
})

test('Events passed to a process: go / done round trip', async () => {
  const go = new Event()
  const done = new Event()
  const p = new Process({ target: waitThenSet, args: [go, done] })
  await p.start()
  go.set()
  assert.equal(await done.wait(30_000), true)
  await p.join(30_000)
  assert.equal(p.exitCode, 0)
})
