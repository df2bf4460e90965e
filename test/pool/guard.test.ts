import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runScript } from '../fixtures/script.js'

// Each case would make workers without end if the guard were missing; the
// script's 60 s kill is the hang detector (a normal run takes seconds).
for (const kind of ['Pool', 'ThreadPool', 'ProcessPoolExecutor', 'ThreadPoolExecutor', 'Manager']) {
  test(`new ${kind}() at the top level of a module its workers import fails clearly instead of making workers without end`, async () => {
    process.env.SKEIN_TEST_UNGUARDED = kind
    const r = await runScript('unguarded-pool.ts', [], 60_000)
    delete process.env.SKEIN_TEST_UNGUARDED
    assert.equal(r.signal, null, `the script finished on its own (no runaway workers): ${r.stderr.slice(-500)}`)
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, new RegExp(`new ${kind}\\(\\) called while the child is still bootstrapping: guard it with isMainProcess\\(\\)`))
  })
}
