/**
 * `skein top` against a real running program (a deliberate deadlock between
 * two processes, test/fixtures/deadlock-program.ts): `--once --json` (the
 * schema of docs/observability.md), the text view, `--pid`, usage errors,
 * and the registry gone with a SIGKILLed process (nothing left in /dev/shm).
 */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import type { Snapshot } from '../../src/index.js'
import { snapshot } from '../../src/index.js'
import { eventually, runProgram, type Program } from '../helpers/program.js'

const CLI = ['--import', 'tsx', 'src/cli.ts', 'top']

function top(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('skein top on a deadlocked program', () => {
  let program: Program
  let pid: number
  const shmBefore = new Set(readdirSync('/dev/shm'))

  before(async () => {
    program = runProgram('test/fixtures/deadlock-program.ts', ['processes'], { SKEIN_DEADLOCKS: 'off' })
    pid = Number((await program.line(/^pid \d+/)).split(' ')[1])
    await program.line(/^waiting/)
    await eventually('the deadlock, with both code lines', () => {
      const d = snapshot({ pid }).deadlocks[0]
      return d?.cycle.every((m) => m.waitsFor.line !== undefined) === true ? d : undefined
    })
  })

  after(() => program.kill())

  test('--once --json: processes, threads, holds, waits and the deadlock, in the documented schema', () => {
    const r = top('--once', '--json', '--pid', String(pid))
    assert.equal(r.code, 0, r.err)
    const s = JSON.parse(r.out) as Snapshot
    assert.equal(s.version, 1)
    assert.equal(typeof s.time, 'number')
    // The program and its child (the fork server is a child too: role 'fork server').
    const main = s.processes.find((p) => p.pid === pid)!
    assert.equal(main.name, 'MainProcess')
    assert.equal(main.role, 'main')
    const side = s.processes.find((p) => p.name === 'Side-B')!
    assert.equal(side.role, 'process')
    assert.equal(side.ppid, pid)
    assert.ok(s.processes.every((p) => p.pid === pid || p.ppid === pid), 'only the program and its children')
    const mainThread = main.threads.find((t) => t.tid === pid)!
    assert.deepEqual(mainThread.holds, [{ kind: 'Lock', name: 'orders' }])
    assert.equal(mainThread.waits.length, 1)
    const w = mainThread.waits[0]!
    assert.equal(w.kind, 'Lock')
    assert.equal(w.name, 'stock')
    assert.equal(w.op, 'acquire')
    assert.equal(w.form, 'async')
    assert.ok(w.since <= s.time && w.since > s.time - 600_000)
    assert.deepEqual(w.heldBy, [{ pid: side.pid, tid: side.pid, name: 'Side-B' }])
    const sideThread = side.threads[0]!
    assert.deepEqual(sideThread.holds, [{ kind: 'Lock', name: 'stock' }])
    assert.equal(sideThread.waits[0]!.form, 'sync')
    assert.ok(typeof sideThread.cpuMs === 'number' && typeof sideThread.start === 'number')
    // deadlocks: [{ cycle: [{ pid, tid, name, holds: [{ kind, name }], waitsFor: { kind, name } }] }]
    assert.equal(s.deadlocks.length, 1)
    const cycle = s.deadlocks[0]!.cycle
    assert.deepEqual(cycle.map((m) => m.waitsFor.name).sort(), ['orders', 'stock'])
    for (const m of cycle) {
      assert.deepEqual(Object.keys(m).sort(), ['holds', 'name', 'pid', 'tid', 'waitsFor'])
      assert.equal(m.holds.length, 1)
      assert.notEqual(m.holds[0]!.name, m.waitsFor.name)
      assert.match(m.waitsFor.line!, /deadlock-program\.ts:\d+$/)
    }
  })

  test('the text view names the deadlock, the tree of processes, holds and waits', () => {
    const r = top('--once', '--pid', String(pid))
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /DEADLOCK.*2 threads wait for each other/)
    assert.match(r.out, /holds Lock "orders" → waits for Lock "stock"/)
    assert.match(r.out, /holds Lock "stock" → waits for Lock "orders"/)
    assert.match(r.out, new RegExp(`^${pid} MainProcess  main`, 'm'))
    assert.match(r.out, /^ {2}\d+ Side-B {2}process/m) // indented under its parent
    assert.match(r.out, /waits \(sync acquire\) for Lock "orders" .* ← held by pid \d+ "MainProcess" at .*deadlock-program\.ts:\d+/)
    assert.ok(!/\x1b\[/.test(r.out), 'no colours when not a TTY')
  })

  test('a SIGKILLed program leaves no registry behind, and nothing in /dev/shm', async () => {
    program.kill()
    await program.exit()
    await eventually('the program gone from the snapshot', () => (snapshot().processes.some((p) => p.pid === pid) ? undefined : true))
    const r = top('--once', '--json', '--pid', String(process.pid))
    assert.equal(r.code, 0, r.err)
    assert.ok(!(JSON.parse(r.out) as Snapshot).processes.some((p) => p.pid === pid))
    const leftovers = readdirSync('/dev/shm').filter((f) => !shmBefore.has(f) && f.includes('skein'))
    assert.deepEqual(leftovers, [])
  })
})

describe('skein top: usage', () => {
  test('bad options exit 2 with the usage; --help prints it', () => {
    for (const args of [['--bogus'], ['--pid'], ['--pid', 'abc'], ['--pid', '-3'], ['--web', '--once']]) {
      const r = top(...args)
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`)
      assert.match(r.err, /usage: skein top/)
    }
    const help = top('--help')
    assert.equal(help.code, 0)
    assert.match(help.out, /usage: skein top \[--pid PID\] \[--once\] \[--json\] \[--web\]/)
  })

  test('--pid of no running process fails with a clear message', () => {
    const r = top('--once', '--pid', '4194303')
    assert.equal(r.code, 1)
    assert.match(r.err, /no process with pid 4194303 is running/)
  })
})
