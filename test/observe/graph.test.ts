/**
 * The deadlock finder over wait-for graphs (src/observe/graph.ts): cycles,
 * chains that end in a thread that can move, semaphores (deadlocked only
 * when every permit holder is stuck), async waits on the waiter's own thread.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { findDeadlocks, type GraphThread } from '../../src/observe/graph.js'

/** A thread `key` whose waits end when one of the listed threads moves (undefined: anyone can end it). */
const t = (key: string, ...waits: Array<{ by?: string[]; async?: boolean }>): GraphThread => ({
  key,
  waits: waits.map((w) => ({ releasers: w.by, async: w.async ?? false })),
})

const keys = (g: GraphThread[]) => findDeadlocks(g).map((c) => c.members.map((m) => m.thread.key).sort().join(' '))

test('two threads each holding what the other waits for', () => {
  const cycles = findDeadlocks([t('A', { by: ['B'] }), t('B', { by: ['A'] }), t('C')])
  assert.equal(cycles.length, 1)
  assert.deepEqual(cycles[0]!.members.map((m) => m.thread.key).sort(), ['A', 'B'])
  assert.equal(cycles[0]!.certain, true)
})

test('a chain that ends in a thread that can move is no deadlock', () => {
  assert.deepEqual(keys([t('A', { by: ['B'] }), t('B', { by: ['C'] }), t('C', {})]), []) // C waits for anyone (an Event)
  assert.deepEqual(keys([t('A', { by: ['B'] }), t('B', { by: ['C'] }), t('C')]), []) // C waits for nothing
  assert.deepEqual(keys([t('A', { by: ['B'] }), t('B', { by: ['gone'] })]), []) // B's holder is not in the graph
})

test('a thread waiting into a cycle is stuck, but only the cycle is reported', () => {
  const cycles = findDeadlocks([t('A', { by: ['B'] }), t('B', { by: ['C'] }), t('C', { by: ['B'] })])
  assert.equal(cycles.length, 1)
  assert.deepEqual(cycles[0]!.members.map((m) => m.thread.key).sort(), ['B', 'C'])
})

test('a semaphore deadlocks only when every permit holder is stuck', () => {
  // A waits for a semaphore whose permits B and C hold; B waits for A's lock.
  assert.deepEqual(keys([t('A', { by: ['B', 'C'] }), t('B', { by: ['A'] }), t('C')]), [], 'C can release its permit')
  assert.deepEqual(keys([t('A', { by: ['B', 'C'] }), t('B', { by: ['A'] }), t('C', { by: ['A'] })]), ['A B'])
  // Every permit held by the waiter itself (a blocking acquire): it waits for itself.
  assert.deepEqual(keys([t('A', { by: ['A'] })]), ['A'])
})

test('a thread with several waits (tasks) is stuck only if none of them can end', () => {
  assert.deepEqual(keys([t('A', { by: ['B'], async: true }, { async: true }), t('B', { by: ['A'] })]), [])
  const cycles = findDeadlocks([t('A', { by: ['B'], async: true }, { by: ['B'], async: true }), t('B', { by: ['A'] })])
  assert.equal(cycles.length, 1)
  assert.equal(cycles[0]!.certain, false, 'an async wait: which task holds what is not known')
})

test('an async wait for the own thread can end (the holding task may be running)', () => {
  assert.deepEqual(keys([t('A', { by: ['A'], async: true })]), [])
  assert.deepEqual(keys([t('A', { by: ['A'], async: true }, { by: ['B'] }), t('B', { by: ['A'] })]), [])
})
