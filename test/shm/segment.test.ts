// Segments (native: one mapping per segment per process) seen from JS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RawArray } from '../../src/shared/index.js'
import { startPeer } from '../helpers/peer.js'

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
