// One stress pass (scripts/stress.mjs runs several: plain, pinned to one CPU,
// beside a busy neighbour): runs the scenario × level × form matrix in turn
// until its time is up, and writes what it did as JSON.
//
//   node --import tsx test/stress/run.ts --seconds 60 [--only event,condition]
//        [--levels processes,threads,tasks,mixed] [--offset 0|1|2] [--scale 1]
//        [--timeout 10000] [--variant plain] [--json out.json]
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { FAILED, TIMED_OUT, CONTRACT, newBoard, readRole } from './board.js'
import { LEVELS, runRoles, type Level } from './levels.js'
import { scenarios, type Scenario } from './scenarios.js'

export interface CellResult {
  scenario: string
  level: Level
  form: 'sync' | 'async'
  runs: number
  units: number
  failures: number
  /** Seconds into the pass when this cell first failed. */
  firstFailureAt: number | null
  messages: string[]
}

export interface PassResult {
  variant: string
  seconds: number
  cells: CellResult[]
}

interface Cell {
  scenario: Scenario
  level: Level
  form: 'sync' | 'async'
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    only: { type: 'string' },
    levels: { type: 'string' },
    offset: { type: 'string', default: '0' },
    scale: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '10000' },
    variant: { type: 'string', default: 'plain' },
    json: { type: 'string' },
  },
})

const seconds = Number(values.seconds)
const scale = Number(values.scale)
const timeout = Number(values.timeout)
const only = values.only?.split(',').map((k) => k.trim().toLowerCase())
const chosen = scenarios.filter((s) => only === undefined || s.keys.some((k) => only.includes(k)))
if (chosen.length === 0) {
  console.error(`stress: --only ${values.only} names no scenario; keys: ${[...new Set(scenarios.flatMap((s) => s.keys))].join(', ')}`)
  process.exit(2)
}

const levels = values.levels === undefined ? LEVELS : LEVELS.filter((l) => values.levels!.split(',').includes(l))
// Every scenario's first cell before any scenario's second: a short pass still covers every primitive.
const cells: Cell[] = []
for (const level of levels) {
  for (const form of ['sync', 'async'] as const) {
    if (level === 'tasks' && form === 'sync') continue // a blocking wait would block the peers in this thread
    for (const scenario of chosen) cells.push({ scenario, level, form })
  }
}
// --offset k of 3: passes start at different thirds of the matrix.
const offset = Math.floor((cells.length * (Number(values.offset) % 3)) / 3)
const order = [...cells.slice(offset), ...cells.slice(0, offset)]

const results = new Map<Cell, CellResult>()
const started = performance.now()
const deadline = started + seconds * 1000
const elapsed = () => (performance.now() - started) / 1000

/** One run of a cell: its failures (empty if it passed) and the units it completed. */
async function runCell(cell: Cell): Promise<{ failures: string[]; units: number }> {
  const n = Math.max(10, Math.round(cell.scenario.n * scale))
  const run = cell.scenario.setup(n)
  const board = newBoard(run.roles.length)
  const watchdog = 4 * timeout + 120_000
  const { hung, failed } = await runRoles(cell.level, run.roles, board, { n, timeout, sync: cell.form === 'sync' }, watchdog)
  const failures: string[] = []
  let least = n
  run.roles.forEach((role, i) => {
    const r = readRole(board, i)
    least = Math.min(least, r.iteration)
    if (r.status !== FAILED) return
    const what = cell.scenario.points[r.point] ?? 'an error (its stack is above)'
    const why = r.kind === TIMED_OUT ? 'timed out in' : r.kind === CONTRACT ? 'broke the contract:' : 'failed at'
    failures.push(`${role.name}, iteration ${r.iteration}: ${why} ${what}`)
  })
  for (const name of hung) failures.push(`${name} still ran ${watchdog / 1000} s after the start (hung past every timeout)`)
  failures.push(...failed)
  if (failures.length === 0) failures.push(...run.check())
  return { failures, units: failures.length === 0 ? run.units : Math.floor((run.units * least) / n) }
}

let lastReport = 0
outer: for (;;) {
  for (const cell of order) {
    if (performance.now() >= deadline) break outer
    const { failures, units } = await runCell(cell)
    let r = results.get(cell)
    if (r === undefined) {
      r = { scenario: cell.scenario.name, level: cell.level, form: cell.form, runs: 0, units: 0, failures: 0, firstFailureAt: null, messages: [] }
      results.set(cell, r)
    }
    r.runs++
    r.units += units
    if (failures.length > 0) {
      r.failures++
      r.firstFailureAt ??= Math.round(elapsed())
      if (r.messages.length < 3) r.messages.push(...failures.slice(0, 3 - r.messages.length))
      console.log(`stress [${values.variant}] ✗ ${cell.scenario.name} [${cell.level}, ${cell.form}] at ${Math.round(elapsed())} s: ${failures.join('; ')}`)
    }
    if (elapsed() - lastReport >= 30) {
      lastReport = elapsed()
      const runs = [...results.values()].reduce((a, c) => a + c.runs, 0)
      console.log(`stress [${values.variant}] ${Math.round(elapsed())} s: ${runs} runs`)
    }
  }
}

const pass: PassResult = { variant: values.variant!, seconds: Math.round(elapsed()), cells: [...results.values()] }
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(pass))
else console.log(JSON.stringify(pass, null, 1))
process.exit(pass.cells.some((c) => c.failures > 0) ? 1 : 0)
