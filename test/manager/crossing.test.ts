// Shared collections passed to real Threads and Processes are the same collections there.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Manager, Process, Thread, Event, Lock, Value, SharedDict, Queue, type Namespace, type SharedList } from '../../src/index.js'
import { incrementKey, echoTypes, useNested, pushItems, touchNamespace, tryAfterShutdown, dieMidWrite } from './targets.js'

async function runAll(workers: Array<Process | Thread>, what: string): Promise<void> {
  for (const w of workers) await w.start()
  for (const w of workers) await w.join(120_000)
  assert.deepEqual(workers.map((w) => w.exitCode), workers.map(() => 0), `${what}: every child exits 0`)
}

test('10 processes x 1,000 updates of one key end at exactly 10,000', async () => {
  await using manager = await new Manager().start()
  const d = manager.dict<string, number>()
  await runAll(Array.from({ length: 10 }, () => new Process({ target: incrementKey, args: [d, 'hits', 1000] })), '10 x 1000')
  assert.equal(await d.get('hits'), 10_000)
})

test('4 threads and this thread x 500 updates of one key are exact', async () => {
  await using manager = await new Manager().start()
  const d = manager.dict<string, number>()
  const threads = Array.from({ length: 4 }, () => new Thread({ target: incrementKey, args: [d, 'n', 500] }))
  for (const t of threads) await t.start()
  await incrementKey(d, 'n', 500)
  for (const t of threads) await t.join(120_000)
  assert.equal(await d.get('n'), 2500)
})

test('types survive a round trip through a process and a thread', async () => {
  const sample = { map: new Map([[1, new Set([2n])]]), when: new Date(5), bytes: new Int16Array([-1, 2]), nested: { a: [1, { b: null }] } }
  for (const Kind of [Process, Thread] as const) {
    const d = new SharedDict<string, unknown>({ sample })
    await runAll([new Kind({ target: echoTypes, args: [d] })], Kind.name)
    assert.deepEqual(await d.get('seen'), sample, Kind.name)
  }
})

test('a Lock and a Value stored in a dict are the same objects in a process and a thread', async () => {
  const d = new SharedDict<string, unknown>()
  const total = new Value('i', 0, { lock: false })
  await d.set('lock', new Lock())
  await d.set('total', total)
  await runAll([new Process({ target: useNested, args: [d, 300] }), new Thread({ target: useNested, args: [d, 300] })], 'nested')
  assert.equal(total.value, 600)
})

test('a SharedList: pushes from 2 processes and a thread all land, each exactly once', async () => {
  await using manager = await new Manager().start()
  const list = manager.list<string>() as SharedList<string>
  await runAll([
    new Process({ target: pushItems, args: [list, 'p1', 200] }),
    new Process({ target: pushItems, args: [list, 'p2', 200] }),
    new Thread({ target: pushItems, args: [list, 't', 200] }),
  ], 'list pushes')
  const items = await list.toArray()
  assert.equal(items.length, 600)
  assert.equal(new Set(items).size, 600)
  for (const tag of ['p1', 'p2', 't']) {
    const mine = items.filter((s) => s.startsWith(`${tag}:`)).map((s) => Number(s.split(':')[1]))
    assert.deepEqual(mine, Array.from({ length: 200 }, (_, i) => i), `${tag}'s items in its order`)
  }
})

test('a Namespace: the child reads the parent\'s attribute and sets its own', async () => {
  await using manager = await new Manager().start()
  for (const Kind of [Process, Thread] as const) {
    const ns: Namespace = manager.Namespace({ fromParent: `hello ${Kind.name}` })
    await runAll([new Kind({ target: touchNamespace, args: [ns] })], Kind.name)
    assert.deepEqual(ns.fromChild, { greeting: `hello ${Kind.name} back`, at: new Date(0) })
  }
})

test('after shutdown, a child holding the dict gets ERR_SKEIN_MANAGER_SHUT_DOWN', async () => {
  const manager = await new Manager().start()
  const d = manager.dict<string, number>({ x: 1 })
  const go = new Event()
  const code = new Value('i', 0)
  const p = new Process({ target: tryAfterShutdown, args: [d, go, code] })
  await p.start()
  await manager.shutdown()
  go.set()
  await p.join(60_000)
  assert.equal(p.exitCode, 0)
  assert.equal(code.value, 2)
})

test('a writer killed holding the lock, its snapshot half-written: the next writer recovers and the contents are intact', async () => {
  const d = new SharedDict<string, number>({ n: 41, other: 7 })
  const holding = new Event()
  const p = new Process({ target: dieMidWrite, args: [d, holding] })
  await p.start()
  assert.equal(await holding.wait(60_000), true)
  p.kill()
  await p.join(60_000)
  assert.equal(await d.update('n', (v = 0) => v + 1), 42)
  assert.deepEqual(await d.toMap(), new Map([['n', 42], ['other', 7]]))
})

test('writers SIGKILLed at random moments in a tight update loop: the dict stays whole and usable', async () => {
  const d = new SharedDict<string, unknown>({ n: 0, keep: { nested: [1, 2, 3] } })
  for (let round = 0; round < 3; round++) {
    const p = new Process({ target: incrementKey, args: [d, 'n', 1e9] })
    await p.start()
    const from = (await d.get('n')) as number
    const deadline = Date.now() + 60_000
    while (((await d.get('n')) as number) < from + 200 + round * 137 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1))
    p.kill()
    await p.join(60_000)
    const before = (await d.get('n')) as number
    assert.ok(Number.isInteger(before) && before >= from + 200, `round ${round}: n = ${before}`)
    assert.equal(await d.update('n', (v) => (v as number) + 1), before + 1)
  }
  assert.deepEqual(await d.get('keep'), { nested: [1, 2, 3] })
})

test('a SharedDict sent through a Queue is the same dict on the other side', async () => {
  const d = new SharedDict<string, number>({ a: 1 })
  const q = new Queue<SharedDict<string, number>>()
  await q.put(d)
  const back = await q.get()
  await back.update('a', (v = 0) => v + 41)
  assert.equal(await d.get('a'), 42)
})
