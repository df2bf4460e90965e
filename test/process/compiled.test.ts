/** skein compiled to JS, used from a plain ESM script under plain `node` (no tsx anywhere). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('../..', import.meta.url))
// Under the repo (so dist/native.js finds build/Release two levels up), in the ignored .tmp/.
const out = join(root, '.tmp', `dist-process-${process.pid}`)

test('a compiled-JS user script under plain node runs Process and Thread targets', { timeout: 120_000 }, () => {
  mkdirSync(out, { recursive: true })
  try {
    // Other modules of the tree may not type-check mid-work; tsc still emits.
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', out], { stdio: 'ignore' })
    assert.ok(existsSync(join(out, 'index.js')), 'tsc emitted index.js')
    const script = join(out, 'user.mjs')
    writeFileSync(script, `
import { Process, Thread, Lock, RawValue, isMainProcess, isMainThread, currentProcess } from ${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)}
export function work(a, b) { if (currentProcess().name !== 'worker') process.exit(9); process.exit(a + b) }
export function bump(cells) { Atomics.add(cells, 0, 41) }
export async function add(lock, total, n) { for (let i = 0; i < n; i++) await lock.withLock(() => { total.value += 1 }) }
if (isMainProcess() && isMainThread()) {
  const p = new Process({ target: work, args: [2, 3], name: 'worker' })
  await p.start(); await p.join()
  const cells = new Int32Array(new SharedArrayBuffer(4))
  const t = new Thread({ target: bump, args: [cells] })
  await t.start(); await t.join()
  const lock = new Lock(); const total = new RawValue('i', 0)
  const workers = [new Process({ target: add, args: [lock, total, 500] }), new Thread({ target: add, args: [lock, total, 500] })]
  for (const w of workers) await w.start()
  for (const w of workers) await w.join()
  console.log(JSON.stringify({ exit: p.exitCode, cell: cells[0], total: total.value }))
}
`)
    const stdout = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 })
    assert.deepEqual(JSON.parse(stdout.trim()), { exit: 5, cell: 41, total: 1000 })
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

test("the package root resolves through package.json exports ('skein' from plain node)", () => {
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', "const s = await import('skein'); console.log(['Process', 'Thread', 'Lock', 'Value', 'spawn', 'TaskPool'].every((n) => typeof s[n] === 'function'))"], { encoding: 'utf8', cwd: root, timeout: 60_000 })
  assert.equal(stdout.trim(), 'true')
})
