import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as skein from '../src/index.js'

test('names of later issues throw NotImplementedError, never a silent stub', () => {
  for (const name of ['ProcessPoolExecutor', 'ThreadPoolExecutor'] as const) {
    const Ctor = skein[name] as unknown as new () => unknown
    assert.throws(() => new Ctor(), (e: unknown) => e instanceof skein.NotImplementedError && /not implemented/.test((e as Error).message), name)
  }
})
