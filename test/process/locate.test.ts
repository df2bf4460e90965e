/** Target location: lookups that run at the same time (a pool starting its workers while its first task's function is located). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { describeFunction } from '../../src/runtime/locate.js'
import { noop, exitWith, throws, sleep, echoEnv, writeJson, sleepThenWrite, echoSocket } from '../fixtures/targets.js'

test('concurrent lookups through the inspector each find their function (one lookup never frees another\'s objects)', async () => {
  // Imported, not exported here: found through the inspector, all at once.
  const fns = [noop, exitWith, throws, sleep, echoEnv, writeJson, sleepThenWrite, echoSocket]
  const refs = await Promise.all(fns.map((fn) => describeFunction(fn)))
  assert.deepEqual(refs.map((r) => r.name), fns.map((fn) => fn.name))
  for (const ref of refs) assert.match(ref.url, /fixtures\/targets\.ts$/)
})
