// The fixed wait protocols (branch waits; docs/architecture.md, "Wait
// protocols"): every interleaving of 2–3 actors meets the contract. Then the
// same models over a wait core with a deliberate defect must fail, so a pass
// here means something.
import { test } from 'node:test'
import { mustFind, mustHold } from './run-model.js'
import { fixedEvent } from './models/fixed/event.js'
import { fixedCondition } from './models/fixed/condition.js'
import { fixedBarrier } from './models/fixed/barrier.js'
import { idealLock } from './models/ideal-lock.js'
import { lockProtocol, ownedLock } from './models/lock.js'
import { semaphoreProtocol } from './models/semaphore.js'
import { todayQueue } from './models/queue.js'
import { brokenCore, fixedCore } from './models/wait-core.js'
import * as event from './scenarios/event.js'
import * as condition from './scenarios/condition.js'
import * as barrier from './scenarios/barrier.js'
import * as lock from './scenarios/lock.js'
import * as queue from './scenarios/queue.js'

test('Event: one word, generation << 1 | flag', (t) => {
  mustHold(t, event.pingPong(fixedEvent(fixedCore), 2))
  mustHold(t, event.pingPong(fixedEvent(fixedCore), 2, { async: true }))
  mustHold(t, event.setClearSet(fixedEvent(fixedCore)))
})

test('Condition: per-waiter tickets, FIFO, over an ideal lock', (t) => {
  const c = fixedCondition(idealLock, fixedCore)
  mustHold(t, condition.notifyThenWait(c))
  mustHold(t, condition.pingPong(c, 2))
  mustHold(t, condition.boundedBuffer(c, true))
  mustHold(t, condition.boundedBuffer(c, false))
  mustHold(t, condition.threeWaiters(c))
})

test('Condition: tickets sharing one wake word, async waits, and over the real Lock', (t) => {
  mustHold(t, condition.pingPong(fixedCondition(idealLock, fixedCore, 1), 2))
  mustHold(t, condition.threeWaiters(fixedCondition(idealLock, fixedCore, 1)))
  mustHold(t, condition.notifyThenWait(fixedCondition(idealLock, fixedCore, 16, { async: true })))
  mustHold(t, condition.notifyThenWait(fixedCondition(ownedLock(fixedCore), fixedCore)))
})

test('Barrier: generation, phase and count in one word', (t) => {
  mustHold(t, barrier.exactParties(fixedBarrier(fixedCore), 2, 3))
  mustHold(t, barrier.exactParties(fixedBarrier(fixedCore), 3, 1))
  mustHold(t, barrier.exactParties(fixedBarrier(fixedCore, { async: true }), 2, 2))
  mustHold(t, barrier.moreThreadsThanParties(fixedBarrier(fixedCore)))
  mustHold(t, barrier.timedParty(fixedBarrier(fixedCore)))
  mustHold(t, barrier.timedParty(fixedBarrier(fixedCore, { async: true })))
})

test('Lock and RLock: a wake-one taken by a task that left is passed on', (t) => {
  mustHold(t, lock.timedOutWaiter(lockProtocol(fixedCore, false)))
  mustHold(t, lock.mutex(lockProtocol(fixedCore, false), { A: {}, B: {} }, 2))
  mustHold(t, lock.mutex(lockProtocol(fixedCore, false), { A: {}, B: { async: true, timed: true } }, 2))
  mustHold(t, lock.mutex(lockProtocol(fixedCore, true), { A: {}, B: {} }, 2))
})

test('Semaphore and BoundedSemaphore: permits never exceeded, none lost', (t) => {
  mustHold(t, lock.permits(semaphoreProtocol(fixedCore), 2, false, { A: {}, B: {}, C: {} }, 1))
  mustHold(t, lock.permits(semaphoreProtocol(fixedCore), 1, true, { A: {}, B: { async: true, timed: true } }, 2))
})

test('Queue (main\'s NOT_EMPTY protocol) over the fixed wait core: a timed-out reader task loses no wake', (t) => {
  mustHold(t, queue.timedOutReader(todayQueue(fixedCore)))
  mustHold(t, queue.twoReaders(todayQueue(fixedCore)))
})

test('the same models over a wait core that sleeps on a late read of the sequence word fail', (t) => {
  mustFind(t, event.pingPong(fixedEvent(brokenCore), 2), 'lost wake-up')
  mustFind(t, condition.notifyThenWait(fixedCondition(idealLock, brokenCore)), 'lost wake-up')
  mustFind(t, barrier.exactParties(fixedBarrier(brokenCore), 2, 2), 'lost wake-up')
  mustFind(t, lock.mutex(lockProtocol(brokenCore, false), { A: {}, B: {} }, 1), 'lost wake-up')
  mustFind(t, lock.permits(semaphoreProtocol(brokenCore), 1, false, { A: {}, B: {} }, 1), 'lost wake-up')
})
