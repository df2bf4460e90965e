// Strings that are not well-formed UTF-16 (a lone surrogate) cross SharedDict,
// SharedList and Namespace as they went in: UTF-8 would turn each into U+FFFD,
// and two distinct keys into one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Namespace, Process, SharedDict, SharedList } from '../../src/index.js'
import { echoTypes } from './targets.js'

const odd = ['a\uD800', '\uDFFFz', 'k\uDBFF', 'x\uD800\uD800y', '\uD83D'] // lone highs, lone lows, two highs in a row

test('lone surrogates in values and keys come back as they went in, and distinct keys stay distinct', async () => {
  const d = new SharedDict<string, unknown>()
  for (const s of odd) await d.set(s, s)
  await d.set('k\uD800', 'high D800')
  assert.equal(d.size, odd.length + 1, "'k\\uD800' and 'k\\uDBFF' are two keys")
  for (const s of odd) assert.equal(await d.get(s), s)
  assert.equal(await d.get('k\uD800'), 'high D800')
  assert.deepEqual([...d.keys()].sort(), [...odd, 'k\uD800'].sort())
  const list = new SharedList<string>(odd)
  assert.deepEqual(await list.toArray(), odd)
  assert.equal(await list.indexOf('\uD83D'), 4)
  const ns = new Namespace({ s: 'ns\uDC00' })
  assert.equal(ns.s, 'ns\uDC00')
})

test('through a real process: a lone surrogate the child reads and writes back is unchanged', async () => {
  const d = new SharedDict<string, unknown>()
  await d.set('sample', { text: 'p\uD800', list: odd })
  await d.set('sample', 'p\uD800') // the fast path for a bare string
  const p = new Process({ target: echoTypes, args: [d] })
  await p.start()
  await p.join(60_000)
  assert.equal(p.exitCode, 0)
  assert.equal(await d.get('seen'), 'p\uD800')
})
