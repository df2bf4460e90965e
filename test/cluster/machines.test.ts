/**
 * Several machines, simulated: every "machine" is a separate node process
 * with its own Redis connection — and, where this box allows network
 * namespaces (root, iproute2), its own network namespace on a private bridge,
 * Redis in another (test/helpers/netns.ts). Otherwise (or with
 * SKEIN_TEST_MACHINES=loopback) the same scenarios run as plain processes on loopback.
 *
 * The machines talk to the test through their stdout (JSON lines); the
 * test asserts values and exactly-once across them, never timings (the
 * 30–45 s bounds are hang bounds).
 */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { noRedis } from '../helpers/redis.js'
import { startCommand, startLoopbackMachines, type Machines, type Ran } from '../helpers/machines.js'
import { netnsUnavailable, startNetnsMachines, PROBE } from '../helpers/netns.js'

const MACHINES = 6
/** `SKEIN_TEST_MACHINES=loopback` runs the loopback variant even where namespaces work. */
const netnsSkipped = netnsUnavailable ?? (process.env.SKEIN_TEST_MACHINES === 'loopback' ? 'SKEIN_TEST_MACHINES=loopback asks for the loopback variant' : undefined)
const FIXTURES = 'test/fixtures/machines'

/** A namespace no other test (or earlier run on the same Redis) uses. */
function freshNamespace(part: string): string {
  return `machines-${part}-${randomBytes(3).toString('hex')}`
}

/** Asserts a machine's script exited 0, showing what it said otherwise. */
function assertRanClean(ran: Ran, what: string): void {
  assert.equal(ran.code, 0, `${what} exited ${ran.code ?? ran.signal}:\n${ran.stdout}\n${ran.stderr}`)
}

/** The scenarios, on whichever kind of machines `get()` returns. */
function scenarios(get: () => Machines): void {
  /** One rush on every machine for one ticket kept in a plain Redis key; what each buyer said, and who the key says bought. */
  async function rush(machines: Machines, guard: 'lock' | 'none'): Promise<{ said: Array<{ user: string; bought: boolean; fence: number }>; soldTo: unknown }> {
    const namespace = freshNamespace(`tickets-${guard}`)
    const url = machines.redisUrl
    assertRanClean(await machines.run(0, `${FIXTURES}/redis-command.ts`, [url, 'SET', `${namespace}:test:ticket`, '1']), 'setting the ticket')
    const buyers = Array.from({ length: machines.size }, (_, i) => i)
    const runs = await Promise.all(buyers.map((i) => machines.run(i, `${FIXTURES}/ticket-buyer.ts`, [url, namespace, `user${i}`, String(buyers.length), guard])))
    runs.forEach((ran, i) => assertRanClean(ran, `buyer on machine ${i}`))
    const soldTo = await machines.run(0, `${FIXTURES}/redis-command.ts`, [url, 'LRANGE', `${namespace}:test:sold`, '0', '-1'])
    return { said: runs.map((ran) => ran.values.at(-1) as { user: string; bought: boolean; fence: number }), soldTo: soldTo.values[0] }
  }

  test('ticket rush with no lock (the control): the machines oversell the one ticket', async () => {
    const { said } = await rush(get(), 'none')
    const sold = said.filter((s) => s.bought).length
    assert.ok(sold > 1, `no lock sold ${sold}; the start gate should make every machine read 1`)
  })

  test('ticket rush under a cluster Lock: every machine tries to buy the one ticket, exactly one sale', async () => {
    const machines = get()
    const { said, soldTo } = await rush(machines, 'lock')
    const sold = said.filter((s) => s.bought)
    assert.equal(sold.length, 1, `sold to ${sold.map((s) => s.user).join(', ') || 'nobody'}`)
    assert.deepEqual(soldTo, { reply: [sold[0]!.user] })
    assert.equal(new Set(said.map((s) => s.fence)).size, machines.size, `every acquire gets its own fence: ${said.map((s) => s.fence).join(', ')}`)
  })

  test('producer/consumer over a cluster Queue: two producer machines, two consumer machines, every item exactly once', async () => {
    const machines = get()
    const namespace = freshNamespace('queue')
    const url = machines.redisUrl
    const PER_PRODUCER = 50
    const consumers = [2, 3].map((m) => machines.start(m, `${FIXTURES}/queue-consumer.ts`, [url, namespace, 'food', `consumer${m}`]))
    const produced = await Promise.all([0, 1].map((m) => machines.run(m, `${FIXTURES}/queue-producer.ts`, [url, namespace, 'food', `producer${m}`, String(PER_PRODUCER)])))
    produced.forEach((ran, i) => assertRanClean(ran, `producer on machine ${i}`))
    assertRanClean(await machines.run(4, `${FIXTURES}/queue-sentinels.ts`, [url, namespace, 'food', String(consumers.length)]), 'the sentinels')
    const consumed = await Promise.all(consumers.map((c) => c.done))
    consumed.forEach((ran, i) => assertRanClean(ran, `consumer ${i}`))
    const got = consumed.map((ran) => (ran.values.at(-1) as { got: Array<[string, number]> }).got)
    const all = got.flat().map(([producer, i]) => `${producer}#${i}`).sort()
    const expected = ['producer0', 'producer1'].flatMap((p) => Array.from({ length: PER_PRODUCER }, (_, i) => `${p}#${i}`)).sort()
    assert.deepEqual(all, expected, 'every item eaten exactly once')
    // FIFO across machines: what one consumer got from one producer comes in the order it was put.
    for (const items of got) {
      for (const producer of ['producer0', 'producer1']) {
        const order = items.filter(([p]) => p === producer).map(([, i]) => i)
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `${producer}'s items out of order: ${order.join(', ')}`)
      }
    }
  })

  test('pool map over two workers on two machines (runWorker on one, `skein worker` on the other): every result right, both machines worked', async () => {
    const machines = get()
    const namespace = freshNamespace('pool')
    const url = machines.redisUrl
    const workers = [
      machines.start(1, `${FIXTURES}/pool-worker.ts`, [url, namespace, 'squares', '2']),
      machines.start(2, 'src/cli.ts', ['worker', '--redis', url, '--pool', 'squares', '--namespace', namespace, '--concurrency', '2']),
    ]
    try {
      const client = await machines.run(0, `${FIXTURES}/pool-client.ts`, [url, namespace, 'squares', '40', '2'])
      assertRanClean(client, 'the pool client')
      const { results, machines: ranOn } = client.values.at(-1) as { results: Array<{ x: number; square: number }>; machines: string[] }
      assert.deepEqual(results.map((r) => [r.x, r.square]), Array.from({ length: 40 }, (_, i) => [i, i * i]))
      assert.deepEqual(ranOn, ['m1', 'm2'], 'tasks ran on the two worker machines, never on the client')
    } finally {
      for (const w of workers) w.child.kill('SIGTERM')
    }
    const stopped = await Promise.all(workers.map((w) => w.done))
    stopped.forEach((ran, i) => assertRanClean(ran, `worker ${i + 1} (after SIGTERM)`))
  })
}

describe('several machines on network namespaces', { skip: netnsSkipped }, () => {
  let machines: Machines | undefined
  before(async () => { machines = await startNetnsMachines(MACHINES) })
  after(async () => { await machines?.stop() })
  const get = () => machines ?? assert.fail('the namespaces were not made')

  test('each machine has its own loopback; Redis is reached only through the bridge', async () => {
    const m = get()
    const host = new URL(m.redisUrl).hostname
    const viaBridge = await m.run(1, PROBE, [host, '6379'])
    assert.deepEqual(viaBridge.values, [{ host, port: 6379, reply: 'PONG' }])
    // Redis listens on its own namespace's 127.0.0.1 too: another machine's 127.0.0.1 is not that one.
    const viaLoopback = await m.run(1, PROBE, ['127.0.0.1', '6379'])
    assert.deepEqual(viaLoopback.values, [{ host: '127.0.0.1', port: 6379, error: 'ECONNREFUSED' }])
    // The host's own network has no way in: the bridge is not on it. (Something else may answer
    // there — a sandbox's outbound proxy replies to any address — but never this Redis.)
    const fromHost = await startCommand(process.execPath, ['--import', 'tsx', PROBE, host, '6379'], {}, new Set()).done
    const answer = fromHost.values[0] as { reply?: string; error?: string }
    assert.notEqual(answer.reply, 'PONG', `the host reached Redis at ${host}`)
  })

  scenarios(get)
})

describe('several machines as processes on loopback', {
  skip: noRedis ?? (netnsSkipped === undefined ? 'the network-namespace variant runs the same scenarios here (SKEIN_TEST_MACHINES=loopback runs this one)' : undefined),
}, () => {
  let machines: Machines | undefined
  before(async () => { machines = await startLoopbackMachines(MACHINES) })
  after(async () => { await machines?.stop() })
  scenarios(() => machines ?? assert.fail('redis-server did not start'))
})
