/**
 * Every wait that takes `{ signal }` checks it before it waits: something
 * that is not an AbortSignal is a TypeError, and nothing changes (a
 * Condition keeps its lock held). Found by the public-API fuzz (seed
 * 1443101659): a fake signal was accepted, and a later notifyAll threw
 * from inside the wake-up, uncaught.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Condition, Event, Pipe, JoinableQueue } from '../../src/index.js'

const fakes: unknown[] = [{ aborted: false, addEventListener() {} }, 'signal', 1, null]
const typeError = (e: unknown) => e instanceof TypeError && /AbortSignal/.test(e.message)

test('Condition.wait with a signal that is not an AbortSignal rejects with a TypeError and keeps the lock held', async () => {
  const cond = new Condition()
  await cond.acquire()
  for (const signal of fakes) {
    await assert.rejects(cond.wait(10, { signal } as never), typeError)
    cond.notify() // throws unless this task still holds the lock
  }
  const waiter = cond.wait(5_000) // a real waiter (it lets the lock go), then a notifyAll: nothing throws out of the wake-up
  await cond.acquire()
  cond.notifyAll()
  cond.release()
  assert.equal(await waiter, true)
  cond.release()
})

test('Event.wait, Queue.join and Connection.poll check their signal too', async () => {
  const ev = new Event()
  const q = new JoinableQueue<number>()
  const [a, b] = Pipe()
  for (const signal of fakes) {
    await assert.rejects(ev.wait(10, { signal } as never), typeError)
    await assert.rejects(q.join(10, { signal } as never), typeError)
    await assert.rejects(b.poll(10, { signal } as never), typeError)
  }
  ev.set()
  assert.equal(await ev.wait(10), true)
  assert.equal(await q.join(10), true)
  a.close(); b.close(); q.close()
})
