// The wait core (src/sync/wait.ts): a release wakes one sleeper elsewhere, so a wake
// must never be swallowed by a waiter that then leaves without acting on it. The
// dead-owner poll (100 ms) used to hide such losses as delays; here it is made
// 60 s long in the waiting process, so a lost hand-off shows as a hang.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Lock, RLock, Semaphore } from '../../src/sync/index.js'
import { RawArray } from '../../src/shared/index.js'
import { startPeer, type Peer } from '../helpers/peer.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const kinds = {
  Lock: () => new Lock(),
  RLock: () => new RLock(),
  Semaphore: () => new Semaphore(1),
}

// A thread whose task is woken and then leaves, and a process that waits behind it.
let abandoning: Peer
let next: Peer
before(async () => {
  abandoning = await startPeer('thread')
  next = await startPeer('process')
  await next.call('slowRecoveryPoll', 60_000)
})
after(() => Promise.all([abandoning.close(), next.close()]))

for (const [kind, make] of Object.entries(kinds)) {
  for (const how of ['abort', 'timeout'] as const) {
    test(`${kind}: a waiter woken and then ${how === 'abort' ? 'aborted' : 'timed out'} before it ran passes the hand-off on at once`, async () => {
      const lock = make()
      const flags = new RawArray('i', 3)
      assert.equal(await lock.acquire({ timeout: 1000 }), true)
      // 1. A task in a thread starts waiting (its native wait is queued first in the kernel).
      const abandoned = abandoning.call('acquireWokenThenAbandoned', lock, flags, how)
      while (Atomics.load(flags.array, 0) === 0) await sleep(5)
      await sleep(50)
      // 2. A blocking waiter in another process queues behind it.
      const handedOff = next.call('acquireSyncTimed', lock, 20_000, 0)
      await sleep(300)
      // 3. The release wakes one sleeper: the thread's, whose task then leaves before it runs.
      lock.release()
      Atomics.store(flags.array, 1, 1)
      Atomics.notify(flags.array, 1)
      const outcome = await abandoned
      assert.ok(['aborted', 'acquired', 'timed out'].includes(outcome), outcome)
      const { ok, ms } = await handedOff
      assert.equal(ok, true)
      assert.ok(ms < 5000, `the next waiter got the ${kind} only after ${Math.round(ms)} ms: the wake was lost`)
    })
  }
}
