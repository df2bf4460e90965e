// The stress suite's quick slice (`npm run stress -- --quick`, under a minute
// on a quiet machine): the real primitives at every level and form, pinned to
// one CPU and beside a busy neighbour. It fails, naming the primitive, level,
// form and iteration, when a hand-off is lost or a count is off.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'

test('npm run stress -- --quick: no lost hand-off, no broken count', { timeout: 170_000 }, async (t) => {
  const out: string[] = []
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['scripts/stress.mjs', '--quick'], { stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => out.push(chunk))
    child.on('exit', (c) => resolve(c ?? 1))
  })
  const text = out.join('')
  for (const line of text.trimEnd().split('\n')) t.diagnostic(line)
  assert.match(text, /stress summary/, 'the stress run printed no summary')
  assert.equal(code, 0, `the stress run failed:\n${text.slice(text.indexOf('stress summary'))}`)
  assert.match(text, /no failure/)
})
