/** Warm, reused thread workers with skein compiled to JS under plain `node` (no tsx, no load gate). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('../..', import.meta.url))
// Under the repo (so dist/native.js finds build/Release two levels up), in the ignored .tmp/.
const out = join(root, '.tmp', `dist-thread-${process.pid}`)

test('plain node: threads reuse a worker, a timer left running does not keep the script alive, a held lock is recovered', { timeout: 120_000 }, () => {
  mkdirSync(out, { recursive: true })
  try {
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', out], { stdio: 'ignore' })
    assert.ok(existsSync(join(out, 'index.js')), 'tsc emitted index.js')
    // A target module that imports nothing of skein, given a shared object: the worker loads skein's root on demand.
    writeFileSync(join(out, 'bare-target.mjs'), 'export function addTo(value, lock) { lock.acquireSync(); value.value += 7; lock.release() }\n')
    const script = join(out, 'thread-user.mjs')
    writeFileSync(script, `
import { Thread, RLock, Lock, RawValue, isMainThread, currentThread } from ${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)}
import { addTo } from './bare-target.mjs'
let runs = 0
export function count(cells) { runs += 1; Atomics.store(cells, 0, runs) }
export function ticker() { setInterval(() => {}, 1000) }
export function keep(lock) { lock.acquireSync() }
export function named(cells) { Atomics.store(cells, 0, currentThread().name === 'named' ? 1 : 2) }
if (isMainThread()) {
  const cells = new Int32Array(new SharedArrayBuffer(4))
  const ids = []
  for (let i = 0; i < 5; i++) {
    const t = new Thread({ target: count, args: [cells] })
    await t.start(); await t.join(); ids.push(t.nativeId)
  }
  const counted = cells[0]
  const n = new Thread({ target: named, args: [cells], name: 'named' })
  await n.start(); await n.join()
  const lock = new RLock()
  const k = new Thread({ target: keep, args: [lock] })
  await k.start(); await k.join()
  const got = lock.acquireSync({ timeout: 20000 })
  const recovered = lock.recovered
  lock.release()
  const total = new RawValue('i', 0)
  const adder = new Thread({ target: addTo, args: [total, new Lock()], fresh: true })
  await adder.start(); await adder.join()
  const tick = new Thread({ target: ticker })
  await tick.start(); await tick.join()
  console.log(JSON.stringify({ workers: new Set(ids).size, counted, named: cells[0], got, recovered, tick: tick.exitCode, added: total.value }))
}
`)
    const stdout = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 })
    const r = JSON.parse(stdout.trim())
    assert.ok(r.workers <= 2, `5 back-to-back threads used ${r.workers} workers`)
    assert.ok(r.counted >= 3, 'module state persisted on the reused worker')
    assert.deepEqual({ named: r.named, got: r.got, recovered: r.recovered, tick: r.tick, added: r.added }, { named: 1, got: true, recovered: true, tick: 0, added: 7 })
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})
