// `npm run stress`: the real primitives under load, through the public API
// (test/stress/). Runs the scenario × level × form matrix in three passes:
// plain; pinned to one CPU (`taskset -c 0`), so every hand-off is a context
// switch; pinned beside a busy neighbour (a spinning process on the same CPU),
// so preemption lands at odd points. Every wait carries a timeout: a lost
// wake-up fails naming the primitive, level, form and iteration.
//
//   npm run stress [-- --minutes N] [--only event,condition] [--quick] [--timeout ms]
//
// --quick: the slice `npm test` runs (test/stress/stress.test.ts), under a
// minute: shorter runs, 5 s timeouts, and processes only in the plain pass
// (a process start costs far more than a thread's).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    timeout: { type: 'string' },
  },
})

const quick = values.quick
const totalSeconds = values.minutes !== undefined ? Number(values.minutes) * 60 : quick ? 36 : 300
if (!(totalSeconds > 0)) {
  console.error(`stress: --minutes must be a positive number (got ${values.minutes})`)
  process.exit(2)
}
const timeout = values.timeout ?? (quick ? '5000' : '10000')
const scale = quick ? '0.5' : '1'
const pinnable = spawnSync('taskset', ['-c', '0', 'true']).status === 0

// Share of the time, and where each pass starts in the matrix (so a short run covers more of it).
const passes = [
  { variant: 'plain', share: 0.5, pin: false, busy: false },
  { variant: 'one CPU', share: 0.25, pin: true, busy: false },
  { variant: 'one CPU + busy neighbour', share: 0.25, pin: true, busy: true },
]

const dir = mkdtempSync(join(tmpdir(), 'skein-stress-'))
const results = []
let exitCode = 0
try {
  for (const [k, pass] of passes.entries()) {
    const seconds = Math.max(5, Math.round(totalSeconds * pass.share))
    const json = join(dir, `pass-${k}.json`)
    const args = ['--import', 'tsx', 'test/stress/run.ts', '--seconds', String(seconds), '--variant', pass.variant, '--offset', String(k), '--scale', scale, '--timeout', timeout, '--json', json]
    if (values.only !== undefined) args.push('--only', values.only)
    if (quick && k > 0) args.push('--levels', 'threads,tasks,mixed')
    const pin = pass.pin && pinnable ? ['taskset', '-c', '0'] : []
    const neighbour = pass.busy ? spawn(pin.length > 0 ? 'taskset' : process.execPath, [...(pin.length > 0 ? ['-c', '0', process.execPath] : []), '-e', 'for (;;) {}'], { stdio: 'ignore' }) : undefined
    console.log(`stress: ${pass.variant}${pass.pin && !pinnable ? ' (taskset unavailable: not pinned)' : ''}, ${seconds} s`)
    const code = await new Promise((resolve) => {
      const child = pin.length > 0 ? spawn(pin[0], [...pin.slice(1), process.execPath, ...args], { stdio: 'inherit' }) : spawn(process.execPath, args, { stdio: 'inherit' })
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)))
    })
    if (neighbour !== undefined) neighbour.kill('SIGKILL')
    if (code !== 0) exitCode = 1
    if (existsSync(json)) results.push(JSON.parse(readFileSync(json, 'utf8')))
    else {
      console.log(`stress: the ${pass.variant} pass ended (exit ${code}) without a report`)
      exitCode = 1
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

summarize(results)
process.exit(exitCode)

/** One line per scenario: runs, units done, failures; then each failing cell. */
function summarize(passResults) {
  const byScenario = new Map()
  for (const pass of passResults) {
    for (const c of pass.cells) {
      const s = byScenario.get(c.scenario) ?? { runs: 0, units: 0, failures: 0, cells: new Set(), failing: [] }
      s.runs += c.runs
      s.units += c.units
      s.failures += c.failures
      s.cells.add(`${c.level}/${c.form}`)
      if (c.failures > 0) s.failing.push(`${pass.variant}, ${c.level}, ${c.form}: ${c.failures} of ${c.runs} runs failed (first at ${c.firstFailureAt} s): ${c.messages[0]}`)
      byScenario.set(c.scenario, s)
    }
  }
  const width = Math.max(...[...byScenario.keys()].map((k) => k.length), 8)
  console.log(`\nstress summary (${passResults.map((p) => `${p.variant} ${p.seconds} s`).join(', ')}):`)
  console.log(`  ${'scenario'.padEnd(width)}  cells  runs  hand-offs/items  failures`)
  for (const [name, s] of byScenario) {
    console.log(`  ${name.padEnd(width)}  ${String(s.cells.size).padStart(5)}  ${String(s.runs).padStart(4)}  ${String(s.units).padStart(15)}  ${s.failures === 0 ? '0' : `${s.failures} ✗`}`)
  }
  const failing = [...byScenario.entries()].flatMap(([name, s]) => s.failing.map((f) => `  ✗ ${name} [${f}]`))
  if (failing.length > 0) console.log(`\nfailures:\n${failing.join('\n')}`)
  else console.log('\nno failure')
}
