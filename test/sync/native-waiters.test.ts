// The async futex waits: the event loop never blocks, and the number of
// native threads stays bounded however many tasks wait.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { Event } from '../../src/sync/index.js'
import { encode } from '../../src/shm/handle.js'

const threads = () => readdirSync('/proc/self/task').length

test('10,000 tasks waiting on one shared Event cost one native waiter thread; the loop keeps running', async () => {
  const event = new Event()
  await encode(event) // as if handed to another process: waits now go through the native waiter
  const before = threads()
  const waits = Array.from({ length: 10_000 }, () => event.wait(30_000))
  let ticks = 0
  const ticker = setInterval(() => ticks++, 5)
  try {
    // The loop runs while 10,000 tasks wait: timers fire (a generous bound: the machine may be busy).
    for (let waited = 0; ticks < 3 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20))
    assert.ok(threads() - before <= 1, `${threads() - before} new threads`)
    assert.ok(ticks >= 3, 'the event loop kept running while tasks waited')
  } finally {
    clearInterval(ticker)
    event.set()
  }
  assert.equal((await Promise.all(waits)).every(Boolean), true)
})

test('1,000 distinct shared words waited on at once need at most one thread per 127 words', async () => {
  const events = Array.from({ length: 1000 }, () => new Event())
  for (const e of events) await encode(e)
  const before = threads()
  const waits = events.map((e) => e.wait(30_000))
  await new Promise((r) => setTimeout(r, 100))
  const added = threads() - before
  assert.ok(added <= Math.ceil(1000 / 127) + 1, `${added} new threads for 1000 words`)
  for (const e of events) e.set()
  assert.equal((await Promise.all(waits)).every(Boolean), true)
})
