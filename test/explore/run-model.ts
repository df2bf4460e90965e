// Test helpers: explore a model and assert what it must find, printing the
// counterexample (or the size of the search) in the test's diagnostics.
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { explore, formatCounterexample, type Exploration, type Model } from './explorer.js'

const stats = (r: Exploration) => `${r.states} states, ${r.steps} steps, ${r.schedules} complete schedules, ${r.ms} ms`

/** The model must hold: every interleaving meets its contract. */
export function mustHold(t: TestContext, model: Model): Exploration {
  const r = explore(model)
  t.diagnostic(`${model.name}: ${stats(r)}`)
  if (r.violations.length > 0) assert.fail(formatCounterexample(model.name, r.violations[0]))
  assert.ok(r.schedules > 0, `${model.name}: no schedule ran to the end`)
  return r
}

/** The model must break its contract in each of `kinds` (a regression model of a known defect). */
export function mustFind(t: TestContext, model: Model, ...kinds: string[]): Exploration {
  const r = explore(model, { all: kinds.length > 1, until: kinds })
  t.diagnostic(`${model.name}: ${stats(r)}`)
  for (const v of r.violations) t.diagnostic(formatCounterexample(model.name, v))
  assert.deepEqual(
    kinds.filter((k) => !r.violations.some((v) => v.kind === k)),
    [],
    `${model.name}: expected counterexamples of ${kinds.join(', ')}; found ${r.violations.map((v) => v.kind).join(', ') || 'none'}`,
  )
  return r
}
