// Regression models: the wait protocols of main at 9fa64a9, where the
// explorer must find the defects of issue 14 (and one in the queue's wake-ups).
import { test } from 'node:test'
import { mustFind, mustHold } from './run-model.js'
import { todayEvent } from './models/today/event.js'
import { todayCondition } from './models/today/condition.js'
import { todayBarrier } from './models/today/barrier.js'
import { idealLock } from './models/ideal-lock.js'
import { lockProtocol, ownedLock } from './models/lock.js'
import { semaphoreProtocol } from './models/semaphore.js'
import { todayQueue } from './models/queue.js'
import { waitSetQueue } from './models/queue-wait-set.js'
import { fixedCore, todayCore } from './models/wait-core.js'
import * as event from './scenarios/event.js'
import * as condition from './scenarios/condition.js'
import * as barrier from './scenarios/barrier.js'
import * as lock from './scenarios/lock.js'
import * as queue from './scenarios/queue.js'

test('Event (FLAG and GEN in two words): a waiter runs one hand-off ahead in the ping-pong', (t) => {
  mustFind(t, event.pingPong(todayEvent, 2), 'phantom wake-up')
})

test('Condition (anonymous tokens): a waiter registered after a notify takes it', (t) => {
  mustFind(t, condition.notifyThenWait(todayCondition(idealLock)), 'stolen wake-up')
  mustFind(t, condition.notifyThenWait(todayCondition(ownedLock(todayCore))), 'stolen wake-up')
})

test('Condition (anonymous tokens): the ping-pong and the bounded buffer with notifyAll stall', (t) => {
  mustFind(t, condition.pingPong(todayCondition(idealLock), 2), 'stolen wake-up')
  mustFind(t, condition.boundedBuffer(todayCondition(idealLock), true), 'stolen wake-up')
})

test('Barrier (retry after a successful CAS): a party is counted twice with exactly `parties` threads', (t) => {
  mustFind(t, barrier.exactParties(todayBarrier, 3, 1), 'party counted twice')
})

test('Barrier (count zeroed before the generation moves): a party arriving in the gap is released alone', (t) => {
  // Both paths of the issue, and a third: a party that finds the generation full
  // reads GEN again before it sleeps, so it can sleep through the next generation.
  mustFind(t, barrier.moreThreadsThanParties(todayBarrier), 'released early', 'party counted twice', 'lost wake-up')
})

test('Lock: a task that times out swallows the release\'s wake-one; a blocked thread sleeps on', (t) => {
  mustFind(t, lock.timedOutWaiter(lockProtocol(todayCore, false)), 'lost wake-up')
})

test('Queue (main): a reader task that times out swallows a put\'s wake-one (only the 200 ms re-check rescues)', (t) => {
  mustFind(t, queue.timedOutReader(todayQueue(todayCore)), 'lost wake-up')
})

test('Queue wait sets (queues branch at 1263a48): a claimed sleeper that succeeds keeps the claim; a candidate fix passes', (t) => {
  // A reader announces, takes the first item, is claimed by the second put and leaves
  // without passing the claim on: the other reader sleeps with an item in the queue.
  mustFind(t, queue.twoReaders(waitSetQueue(fixedCore)), 'lost wake-up')
  mustHold(t, queue.twoReaders(waitSetQueue(fixedCore, true)))
})

test('what held on main holds in the model: Lock, RLock and Semaphore between blocking threads', (t) => {
  mustHold(t, lock.mutex(lockProtocol(todayCore, false), { A: {}, B: {} }, 2))
  mustHold(t, lock.mutex(lockProtocol(todayCore, true), { A: {}, B: {} }, 2))
  mustHold(t, lock.permits(semaphoreProtocol(todayCore), 1, false, { A: {}, B: {}, C: {} }, 1))
})
