import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runScript } from '../fixtures/script.js'
import { heapLimits, withoutRefused } from '../../src/thread/worker-argv.js'

interface Seen { heapMb: number; maxOldMb: number | undefined; gc: string; execArgv: string[] }
interface Report { code: number; thread: Seen; pool: Seen; main: string[] }

/**
 * Flags Node programs commonly run with, in two nodes (each run costs a node
 * with tsx, a Thread and a ThreadPool): those a Worker refuses (process-wide
 * and V8 flags; Node names every refused flag at once, so one bad handling
 * fails the run) and those it takes, which the thread must get too.
 */
const REFUSED = ['--max-old-space-size=2048', '--expose-gc', '--max-semi-space-size=16', '--stack-size=2000', '--stack-trace-limit=50', '--title', 'skein-flags-test', '--v8-pool-size=2', '--abort-on-uncaught-exception', '--use-largepages=off']
const TAKEN = ['--enable-source-maps', '--no-warnings', '--unhandled-rejections=strict', '--conditions=development']

async function run(flags: string[]): Promise<Report> {
  const r = await runScript('thread-flags.ts', [], 120_000, [...flags, '--import', 'tsx'])
  assert.equal(r.code, 0, r.stderr)
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Report
  assert.equal(report.code, 0, 'the Thread ran')
  for (const seen of [report.thread, report.pool]) assert.ok(seen.execArgv.includes('--import') && seen.execArgv.includes('tsx'), 'the flags a Worker takes are passed on')
  return report
}

test(`a Thread and a ThreadPool start under flags a Worker refuses: ${REFUSED.join(' ')}`, async () => {
  const report = await run(REFUSED)
  for (const seen of [report.thread, report.pool]) {
    for (const f of REFUSED) assert.ok(!seen.execArgv.includes(f), `${f} dropped: ${seen.execArgv.join(' ')}`)
    assert.equal(seen.maxOldMb, 2048, 'the heap limit became the worker\'s resourceLimits')
    assert.equal(seen.gc, 'function', 'V8 flags are process-wide: the worker has gc()')
  }
})

test(`a Thread and a ThreadPool get the flags a Worker takes: ${TAKEN.join(' ')}`, async () => {
  const report = await run(TAKEN)
  for (const seen of [report.thread, report.pool]) for (const f of TAKEN) assert.ok(seen.execArgv.includes(f), `${f} kept: ${seen.execArgv.join(' ')}`)
})

test('the refused flags are read from the Worker error, values given as a second argument with them', () => {
  const error = Object.assign(new Error('Initiated Worker with invalid execArgv flags: --title, --expose-gc'), { code: 'ERR_WORKER_INVALID_EXEC_ARGV' })
  assert.deepEqual(withoutRefused(['--title', 'x', '--expose-gc', '--import', 'tsx'], error), ['--import', 'tsx'])
  assert.equal(withoutRefused(['--import', 'tsx'], error), undefined, 'nothing to drop: the error stands')
  assert.equal(withoutRefused(['--title', 'x'], new Error('other')), undefined)
  assert.deepEqual(heapLimits(['--max_old_space_size=512']), { maxOldGenerationSizeMb: 512 })
  assert.equal(heapLimits(['--expose-gc']), undefined)
})
