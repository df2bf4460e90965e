import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as skein from '../src/index.js'
import { placeholder } from '../src/not-yet.js'

test('names of later issues throw NotImplementedError, never a silent stub', () => {
  for (const name of ['Later'] as const) {
    const Ctor = placeholder(name) as unknown as new () => unknown
    assert.throws(() => new Ctor(), (e: unknown) => e instanceof skein.NotImplementedError && /not implemented/.test((e as Error).message), name)
  }
})
