// Segments (native: one mapping per segment per process) seen from JS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RawArray } from '../../src/shared/index.js'
import { startPeer } from '../helpers/peer.js'
import { Segment } from '../../src/shm/segment.js'
import { native } from '../../src/native.js'

// Every thread's SharedArrayBuffer of a segment must share one V8 BackingStore: V8
// matches Atomics.wait waiters by BackingStore, so with one per thread a notify from
// another thread reached nobody, and V8 freed the waiter's node as stale (the process
// aborted with "free(): invalid pointer").
test('Atomics.notify here wakes an Atomics.wait in a thread on the same shared memory', async () => {
  const flags = new RawArray('i', 3)
  const peer = await startPeer('thread')
  try {
    const waited = peer.call('atomicsWaitOnce', flags)
    let woken = 0
    for (let tries = 0; woken === 0 && tries < 200; tries++) {
      await new Promise((r) => setTimeout(r, 10))
      woken = Atomics.notify(flags.array, 1)
    }
    assert.equal(woken, 1)
    assert.equal(await waited, 'ok')
  } finally {
    await peer.close()
  }
})

// readSegment/writeSegment copy through the segment's memfd (queues' large items).
test('readSegment and writeSegment copy through the memfd what the mapping shows; bad ranges throw; no memfd is -1', () => {
  const segment = Segment.create(1 << 20)
  const view = new Uint8Array(segment.sab)
  const out = new Uint8Array(300_001).subarray(1) // a view that does not start its buffer
  for (let j = 0; j < out.length; j++) out[j] = (j * 7) & 255
  assert.equal(native.writeSegment(segment.sab, 4099, out, out.length), 0)
  for (let j = 0; j < out.length; j++) if (view[4099 + j] !== out[j]) assert.fail(`byte ${j} did not reach the mapping`)
  view[4099] = 201
  const back = Buffer.alloc(out.length)
  assert.equal(native.readSegment(segment.sab, 4099, back, out.length), 0)
  assert.equal(back[0], 201) // what the mapping wrote, the memfd reads
  assert.ok(back.subarray(1).equals(Buffer.from(out.subarray(1))))
  assert.throws(() => native.readSegment(segment.sab, (1 << 20) - 10, back, 11), /inside the segment/)
  assert.throws(() => native.writeSegment(segment.sab, 0, out, out.length + 1), /inside the segment/)
  assert.throws(() => native.readSegment(segment.sab, -1, back, 1), /inside the segment/)
  assert.throws(() => native.readSegment(new SharedArrayBuffer(64) as SharedArrayBuffer, 0, {} as Uint8Array, 1), /typed array/)
  assert.equal(native.readSegment(new SharedArrayBuffer(64), 0, back, 8), -1) // not a segment: the caller copies through the mapping
})
