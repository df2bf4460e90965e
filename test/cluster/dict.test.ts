/**
 * cluster.dict against a real redis-server: the SharedDict interface, all
 * async; update(key, fn) exact under contention from several processes.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Process } from '../../src/index.js'
import { connect, type Cluster } from '../../src/cluster/index.js'
import { noRedis, useRedis } from '../helpers/redis.js'
import { incrementMany } from '../fixtures/cluster-queue-targets.js'

let names = 0
const fresh = (what: string) => `${what}-${process.pid}-${++names}`

describe('cluster dict', { skip: noRedis }, () => {
  const redis = useRedis()
  let cluster: Cluster
  const open = async () => (cluster ??= await connect({ url: redis.get().url, namespace: 'dtest' }))

  test('get, set, has, delete, size, keys, values, entries, clear; values are structured clones', async () => {
    const c = await open()
    const d = c.dict<unknown>(fresh('basic'))
    assert.equal(await d.get('missing'), undefined)
    assert.equal(await d.has('a'), false)
    assert.equal(await d.size(), 0)
    await d.set('a', 1)
    await d.set('b', { nested: new Map([['x', new Set([1n])]]), when: new Date(5) })
    assert.equal(await d.get('a'), 1)
    assert.deepEqual(await d.get('b'), { nested: new Map([['x', new Set([1n])]]), when: new Date(5) })
    assert.equal(await d.has('a'), true)
    assert.equal(await d.size(), 2)
    assert.deepEqual((await d.keys()).sort(), ['a', 'b'])
    assert.deepEqual(new Map(await d.entries()).get('a'), 1)
    assert.equal((await d.values()).length, 2)
    const seen: string[] = []
    for await (const [k] of d) seen.push(k)
    assert.deepEqual(seen.sort(), ['a', 'b'])
    assert.equal(await d.delete('a'), true)
    assert.equal(await d.delete('a'), false)
    assert.equal(await d.size(), 1)
    // The same name is the same dict through another handle and another connection.
    const other = await connect({ url: redis.get().url, namespace: 'dtest' })
    assert.deepEqual(await other.dict(d.name).keys(), ['b'])
    await other.close()
    await d.clear()
    assert.equal(await d.size(), 0)
  })

  test("strings that are not well-formed Unicode stay as they went: distinct keys ('k\\uD800' ≠ 'k\\uDBFF'), values through a dict and a queue; object names refuse them", async () => {
    const c = await open()
    const d = c.dict<string>(fresh('surrogates'))
    const keys = ['k\uD800', 'k\uDBFF', 'k\uDC00', 'k\uFFFD', 'k\uD83D\uDE00', 'plain']
    for (const [i, k] of keys.entries()) await d.set(k, `v${i}\uD800`)
    assert.equal(await d.size(), keys.length)
    assert.deepEqual((await d.keys()).sort(), [...keys].sort())
    for (const [i, k] of keys.entries()) assert.equal(await d.get(k), `v${i}\uD800`)
    assert.equal(await d.update('k\uDBFF', (v) => `${v}+`), 'v1\uD800+')
    assert.equal(await d.get('k\uD800'), 'v0\uD800', 'the other key is untouched')
    assert.equal(await d.has('k\uDFFF'), false)
    assert.equal(await d.delete('k\uD800'), true)
    assert.deepEqual(new Map(await d.entries()).get('k\uDBFF'), 'v1\uD800+')
    const q = c.Queue<unknown>(fresh('surrogates'))
    await q.put({ ['a\uD800']: 'b\uDFFF', list: ['\uDC00'] })
    assert.deepEqual(await q.get({ timeout: 5000 }), { ['a\uD800']: 'b\uDFFF', list: ['\uDC00'] })
    assert.throws(() => c.Lock('name\uD800'), (e: unknown) => e instanceof TypeError && /lone surrogate/.test(e.message))
  })

  test('update(key, fn) returns the new value; absent keys start undefined; a throwing fn writes nothing', async () => {
    const c = await open()
    const d = c.dict<number>(fresh('update'))
    assert.equal(await d.update('n', (old) => (old ?? 10) + 1), 11)
    assert.equal(await d.update('n', async (old) => (old as number) * 2), 22)
    await assert.rejects(d.update('n', () => { throw new Error('no') }), /no/)
    assert.equal(await d.get('n'), 22)
    await assert.rejects(d.set(1 as never, 1), TypeError)
    await assert.rejects(d.set('f', (() => 1) as never), TypeError)
  })

  test('4 processes × 100 update() increments of one key end exact', async () => {
    const c = await open()
    const d = c.dict<number>(fresh('contended'))
    const ps = [0, 1, 2, 3].map(() => new Process({ target: incrementMany, args: [d, 'count', 100] }))
    for (const p of ps) await p.start()
    for (const p of ps) await p.join(120_000)
    for (const p of ps) assert.equal(p.exitCode, 0)
    assert.equal(await d.get('count'), 400)
  })

  test('after(): close the connection', async () => {
    await cluster?.close()
  })
})
