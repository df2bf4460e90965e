/**
 * skein demo: the compiled tour (as shipped in the package), run by the
 * compiled executable on plain node.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

test('runs the compiled tour (selected scenarios) and exits with its code', { timeout: 170_000 }, () => {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.examples.json')], { cwd: root, encoding: 'utf8' })
  assert.ok(existsSync(join(root, '.build/examples/tour.js')), tsc.stdout)
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'demo', 'greenlet', 'timeout'], { cwd: root, encoding: 'utf8', timeout: 120_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /tour: 2\/2 passed/)
  const none = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'demo', 'no-such-scenario'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  assert.equal(none.status, 2)
})
