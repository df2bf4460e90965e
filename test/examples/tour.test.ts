/**
 * The tour (`npm run demo`): its list of scenarios, that importing it runs
 * nothing, and a run of selected scenarios in a child process.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runTour, scenarios, summary } from '../../examples/tour.js'
import { quietly } from '../helpers/quietly.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('tour', () => {
  test('lists every example once, in the course order', () => {
    assert.deepEqual(scenarios.map((s) => s.name), [
      'process basics', 'join timing', 'isolation', 'ticket rush', 'queue basics', 'producer consumer', 'joinable queue',
      'pipe ping-pong', 'manager dict', 'threads counter', 'sync primitives', 'parallel threads', 'thread queues', 'echo server', 'pool apply async', 'pool map', 'pool echo server', 'pool crash', 'crawler', 'greenlet switch', 'timeout', 'deadlock',
      'cluster ticket rush', 'cluster queue', 'cluster pool map',
    ])
    assert.match(summary([{ name: 'a', ok: true, seconds: 1 }, { name: 'b', ok: false, seconds: 2 }]), /^tour: 1\/2 passed in 3\.0 s/)
  })

  test('a scenario that hangs is reported as failed at the bound, and the tour goes on', async () => {
    const outcomes = await quietly(() => runTour([
      { name: 'hangs', about: 'waits for ever', main: () => new Promise(() => {}) },
      { name: 'throws', about: 'fails', main: async () => { throw new Error('boom') } },
      { name: 'passes', about: 'fine', main: async () => 1 },
    ], 300))
    assert.deepEqual(outcomes.map((o) => [o.name, o.ok]), [['hangs', false], ['throws', false], ['passes', true]])
    assert.match(String(outcomes[0]!.error), /did not finish within 0.3 s/)
  })

  test('importing the tour runs nothing (children import example modules safely)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/examples/import-tour.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'imported')
  })

  test('runs selected scenarios and exits 0 with a summary', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/tour.ts', 'greenlet', 'timeout'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /━━━ 1\/2 greenlet switch/)
    assert.match(r.stdout, /tour: 2\/2 passed/)
  })
})
