// Shared objects stored in a collection are read many times: each read must
// add its own reference on the struct (src/shm/arena.ts), so none is freed
// (and reused by a new object) while the collection still holds it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Lock, Process, SharedDict, SharedList, Namespace } from '../../src/index.js'
import { readStoredLocks } from './targets.js'
import { arenaUsage } from '../../src/shm/free-lists.js'
import { Value } from '../../src/index.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

// The arena warns (once per process) when a struct is released more often than it was held.
const overReleased: string[] = []
process.on('warning', (w) => { if (w.name === 'SkeinWarning') overReleased.push(w.message) })

/** Runs finalizers: collect, let their callbacks run, and again for what they freed. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((r) => setImmediate(r))
  }
}

/** Fails if a lock made now shares memory with `stored` (it was freed and reused). */
async function assertNotReused(stored: () => Promise<Lock>, what: string): Promise<void> {
  await collect()
  const fresh = Array.from({ length: 3000 }, () => new Lock())
  const back = await stored()
  assert.equal(await back.acquire({ timeout: 5000 }), true, `${what}: the stored lock can be acquired`)
  assert.equal(fresh.filter((l) => l.locked()).length, 0, `${what}: no new lock shares the stored lock's memory`)
  back.release()
}

test('a Lock stored in a dict, list and namespace, read back many times here and in a process, is never freed under them', async () => {
  const d = new SharedDict<string, unknown>()
  const l = new SharedList<unknown>()
  const ns = new Namespace<Record<string, unknown>>()
  await d.set('lock', new Lock())
  await d.set('nested', { locks: [new Lock()] })
  await l.push(new Lock())
  ns.lock = new Lock()
  for (let i = 0; i < 50; i++) {
    await d.get('lock')
    await d.values()
    await l.get(0)
    await l.toArray()
    void ns.lock
  }
  const p = new Process({ target: readStoredLocks, args: [d, l, ns, 50] })
  await p.start()
  await p.join(60_000)
  assert.equal(p.exitCode, 0)
  await assertNotReused(async () => (await d.get('lock')) as Lock, 'dict')
  await assertNotReused(async () => ((await d.get('nested')) as { locks: Lock[] }).locks[0]!, 'nested in a dict')
  await assertNotReused(async () => (await l.get(0)) as Lock, 'list')
  await assertNotReused(async () => ns.lock as Lock, 'namespace')
  assert.deepEqual(overReleased, [])
})

test('a Lock whose creator let go, read back twice: the stored reference keeps it', async () => {
  const d = new SharedDict<string, unknown>()
  await d.set('lock', new Lock()) // the creator's handle is garbage from here on
  await d.get('lock')
  await d.get('lock')
  await assertNotReused(async () => (await d.get('lock')) as Lock, 'after two reads')
  assert.deepEqual(overReleased, [])
})

test('a Lock overwritten in a dict gives its reference back; one still stored elsewhere stays', async () => {
  const shared = new Lock()
  const d = new SharedDict<string, unknown>()
  await d.set('a', shared)
  await d.set('b', shared)
  await d.set('a', 1) // drops one stored reference
  await d.delete('zz')
  for (let i = 0; i < 20; i++) await d.get('b')
  await assertNotReused(async () => (await d.get('b')) as Lock, 'still stored under b')
  assert.deepEqual(overReleased, [])
})

test('shared objects stored, overwritten, or refused (a Value as a Namespace attribute) hold no memory afterwards', async () => {
  const d = new SharedDict<string, unknown>()
  const ns = new Namespace<Record<string, unknown>>()
  const round = async (): Promise<void> => {
    for (let i = 0; i < 300; i++) {
      await d.set('v', { value: new Value('i', i), lock: new Lock() }) // overwrites the previous round's
      await d.get('v')
      try { ns.v = { lock: new Lock(), value: new Value('i', i) } } catch { /* refused: a Value attaches asynchronously */ }
    }
    await d.delete('v')
    await collect()
  }
  await round()
  const before = arenaUsage().slots
  await round()
  await round()
  const after = arenaUsage().slots
  assert.ok(after - before < 50, `slots in use grew from ${before} to ${after} over 600 stored-then-dropped objects (each holds 2-3 structs)`)
  assert.deepEqual(overReleased, [])
})
