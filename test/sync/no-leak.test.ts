import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const LEAKER = fileURLToPath(new URL('../fixtures/leaker.ts', import.meta.url))

async function gone(path: string, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (!existsSync(path)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !existsSync(path)
}

test('after a SIGKILLed run nothing of it stays in /dev/shm and its child is gone', async () => {
  let out = ''
  try {
    execFileSync(process.execPath, ['--import', 'tsx', LEAKER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  } catch (error) {
    out = (error as { stdout: string }).stdout // killed by SIGKILL: non-zero status
  }
  const { name, child } = JSON.parse(out.trim()) as { name: string; child: number }
  assert.match(name, /^skein-/)
  assert.equal(await gone(`/dev/shm/${name}`), true, `named segment ${name} leaked`)
  assert.equal(await gone(`/proc/${child}`), true, `child ${child} outlived its parent`)
  // Anonymous segments never appear in /dev/shm at all.
  assert.deepEqual(readdirSync('/dev/shm').filter((n) => n.includes('skein-segment')), [])
})
