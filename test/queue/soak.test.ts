// Soak: producers and consumers SIGKILLed at random points, over and over,
// while the others go on: every put that returned arrives exactly once, each
// producer's items in order; a killed consumer takes with it at most the one
// item whose take it had committed when it died. SKEIN_SOAK_KILLS sets the
// number of kills (default 16); nothing may be left in /dev/shm.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { Process, Queue, Pipe, RawArray, RawValue, Event, EOFError } from '../../src/index.js'
import { soakProducer, soakConsumer, sendCounting, SOAK_SPAN } from '../fixtures/queue-targets.js'

const KILLS = Number(process.env.SKEIN_SOAK_KILLS ?? 16)
const MAX_IDS = 64
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const shm = () => readdirSync('/dev/shm').filter((f) => f.startsWith('skein'))

// An unbounded queue's producers outrun its consumers: each puts at most 20,000 items.
for (const [label, maxsize, limit] of [['Queue(64)', 64, SOAK_SPAN], ['an unbounded Queue', 0, 20_000]] as const) {
  test(`soak, ${label}: 3 producers and 3 consumers, ${KILLS} of them SIGKILLed at random points and replaced`, async () => {
    const shm0 = shm()
    const q = new Queue<number | string>(maxsize)
    const returned = new RawArray('i', MAX_IDS)
    const counts = new RawArray('i', MAX_IDS * SOAK_SPAN)
    const stop = new RawValue('i', 0)
    let nextId = 0
    const producer = async () => {
      const started = new Event()
      const p = new Process({ target: soakProducer, args: [q, nextId++, limit, returned, stop, started] })
      await p.start()
      assert.equal(await started.wait(60_000), true)
      return p
    }
    const consumer = async () => {
      const started = new Event()
      const c = new Process({ target: soakConsumer, args: [q, counts, started] })
      await c.start()
      assert.equal(await started.wait(60_000), true)
      return c
    }
    const producers = [await producer(), await producer(), await producer()]
    const consumers = [await consumer(), await consumer(), await consumer()]
    // A failed check must not leave children blocked for ever (the runner would wait for them).
    const killAll = () => { for (const c of [...producers, ...consumers]) if (c.isAlive()) c.kill() }
    let consumerKills = 0
    try {
      for (let k = 0; k < KILLS; k++) {
        await sleep(20 + Math.random() * 150)
        const side = Math.random() < 0.5 ? producers : consumers
        const at = Math.floor(Math.random() * side.length)
        side[at].kill()
        await side[at].join(60_000)
        // A producer may have put all its items and ended first.
        assert.ok(side[at].exitCode === -9 || (side === producers && side[at].exitCode === 0), `kill ${k}: the victim exited ${side[at].exitCode}, not of SIGKILL (a failed check?)`)
        if (side === consumers) consumerKills++
        side[at] = side === producers ? await producer() : await consumer()
      }
    } catch (error) {
      killAll()
      throw error
    }
    stop.value = 1
    for (const p of producers) await p.join(120_000)
    assert.deepEqual(producers.map((p) => p.exitCode), [0, 0, 0])
    for (let i = 0; i < consumers.length; i++) await q.put(-1)
    for (const c of consumers) await c.join(120_000)
    killAll()
    assert.deepEqual(consumers.map((c) => c.exitCode), [0, 0, 0], 'no consumer saw a producer\'s items out of order (exit 3)')
    assert.equal(q.qsize(), 0)
    let missing = 0
    let total = 0
    for (let id = 0; id < nextId; id++) {
      const r = returned.array[id]
      for (let seq = 0; seq < SOAK_SPAN; seq++) {
        const n = counts.array[id * SOAK_SPAN + seq]
        assert.ok(n <= 1, `producer ${id} item ${seq} arrived ${n} times`)
        if (seq < r) {
          total++
          if (n === 0) missing++
        } else if (seq > r) assert.equal(n, 0, `producer ${id} item ${seq} arrived though its put never ran`)
        // seq === r: a killed producer's last put may have committed before its return was recorded: 0 or 1.
      }
    }
    assert.ok(total > 0)
    assert.ok(missing <= consumerKills, `${missing} items whose put returned are missing; ${consumerKills} killed consumers may take one each`)
    q.putNowait(7)
    assert.equal(q.getNowait(), 7, 'the queue is still usable')
    assert.deepEqual(shm(), shm0, 'nothing left in /dev/shm')
  })
}

test('soak, Pipe: the writing process SIGKILLed at random points; the reader gets every send that returned, in order, then EOF', async () => {
  for (let round = 0; round < Math.max(3, KILLS >> 2); round++) {
    const [rx, tx] = Pipe<number>(false)
    const returned = new RawValue('i', 0)
    const started = new Event()
    const p = new Process({ target: sendCounting, args: [tx, returned, started] })
    await p.start()
    assert.equal(await started.wait(60_000), true)
    const got: number[] = []
    const until = performance.now() + 20 + Math.random() * 120
    while (performance.now() < until) got.push(await rx.recv({ timeout: 60_000 }))
    p.kill()
    await p.join(60_000)
    for (;;) {
      try {
        got.push(await rx.recv({ timeout: 60_000 }))
      } catch (e) {
        assert.ok(e instanceof EOFError, String(e))
        break
      }
    }
    const r = returned.value
    assert.ok(got.length === r || got.length === r + 1, `round ${round}: ${got.length} messages for ${r} sends that returned`)
    got.forEach((n, i) => assert.equal(n, i, `round ${round}: message ${i} in order, none twice`))
  }
})
