// Memory is given back: dropped queues release their segments, and a queue
// that streams far more than it holds keeps only its unread pages.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { Queue, LifoQueue } from '../../src/index.js'

const openFds = () => readdirSync('/proc/self/fd').length
const rssShmemMiB = () => Number(/RssShmem:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024

// First: the other tests' dropped segments, unmapped as they are collected, would hide growth here.
test('a queue whose reader keeps up stays in its first pages: 375 MiB streamed, under 2 MiB resident', () => {
  const q = new Queue<Buffer>()
  const item = Buffer.alloc(48 * 1024, 3)
  const before = rssShmemMiB()
  for (let i = 0; i < 4000; i++) {
    q.putNowait(item)
    q.putNowait(item)
    assert.equal(q.getNowait().length, item.length)
    assert.equal(q.getNowait().length, item.length)
  }
  const held = rssShmemMiB() - before
  // Found empty past 64 KiB, the producer starts again at offset 0: the ring never walks its 2 GiB.
  assert.ok(held < 2, `${held.toFixed(1)} MiB of shared memory resident after streaming 375 MiB`)
})

test('creating and dropping 30,000 queues in one synchronous loop keeps descriptors and segments flat', () => {
  const fds0 = openFds()
  let peak = 0
  for (let i = 0; i < 30_000; i++) {
    const q = new Queue<number>(i % 2 === 0 ? 0 : 4)
    q.putNowait(i)
    assert.equal(q.getNowait(), i)
    if (i % 1000 === 0) peak = Math.max(peak, openFds() - fds0)
  }
  // Without reclaim every queue would hold a descriptor: 30,000 (over the limit, in fact).
  assert.ok(peak < 3_000, `open descriptors grew by ${peak}`)
})

test('streaming 400 MiB through a queue with a 16 MiB backlog keeps only the unread pages resident', () => {
  const before = rssShmemMiB()
  for (const q of [new Queue<Buffer>(), new LifoQueue<Buffer>()]) {
    const item = Buffer.alloc(256 * 1024, 1)
    for (let i = 0; i < 64; i++) q.putNowait(item) // a 16 MiB backlog
    for (let i = 0; i < 1600; i++) {
      q.putNowait(item)
      assert.equal(q.getNowait().length, item.length)
    }
    const held = rssShmemMiB() - before
    // The ring moved through 400 MiB of its reserve; pages behind the readers went back.
    assert.ok(held < 64, `${held.toFixed(0)} MiB of shared memory resident for a 16 MiB backlog`)
    while (!q.empty()) q.getNowait()
  }
})
