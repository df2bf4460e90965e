/** Whole-process behaviours: what happens when the parent exits or dies. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { firstJsonLine, pidAlive, runScript, startScript, until } from '../fixtures/script.js'
import { tempDir } from '../helpers/temp-dir.js'

const dir = tempDir('skein-lifecycle-')

for (const how of ['returns', 'exit']) {
  test(`parent ${how === 'exit' ? 'calls process.exit()' : 'returns'}: non-daemon child is waited for, daemon child is terminated`, async () => {
    const flag = join(dir, `worker-${how}`)
    const r = await runScript('parent-exit.ts', [flag, how])
    assert.equal(r.code, 0, r.stderr)
    const { daemon, worker } = JSON.parse(r.stdout.split('\n')[0])
    assert.ok(existsSync(flag), 'the non-daemon child finished its work before the parent exited')
    assert.ok(!pidAlive(worker))
    assert.ok(await until(() => !pidAlive(daemon), 5000), 'the daemon child was terminated with its parent')
  })
}

test('no orphan after SIGKILL of the parent', async () => {
  const parent = startScript('orphan-parent.ts')
  const { child } = await firstJsonLine(parent)
  assert.ok(pidAlive(child))
  parent.kill('SIGKILL')
  assert.ok(await until(() => !pidAlive(child), 5000), `child ${child} outlived its killed parent`)
})

test('a detached child survives the SIGKILL of its parent', async () => {
  const parent = startScript('orphan-parent.ts', ['detached'])
  const { child } = await firstJsonLine(parent)
  parent.kill('SIGKILL')
  await new Promise((r) => setTimeout(r, 500))
  assert.ok(pidAlive(child))
  process.kill(child, 'SIGKILL')
})

test('a thrown error: exit code 1 and the stack on the child stderr', async () => {
  const r = await runScript('throwing-script.ts')
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout.trim()), { exitCode: 1 })
  assert.match(r.stderr, /Process Process-1:/)
  assert.match(r.stderr, /Error: boom from the child/)
  assert.match(r.stderr, /at throws .*targets\.ts/)
})

test('an unguarded top-level start() fails clearly in the child instead of forking without end', async () => {
  const r = await runScript('unguarded.ts', [], 30_000)
  assert.equal(r.signal, null, 'the script finished on its own (no fork bomb)')
  assert.notEqual(r.code, 0)
  assert.match(r.stderr, /start\(\) called while the child is still bootstrapping: guard it with isMainProcess\(\)/)
  assert.equal((r.stderr.match(/still bootstrapping/g) ?? []).length <= 4, true)
})
