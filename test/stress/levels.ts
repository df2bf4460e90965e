// Running a scenario's roles at one level: every role a process, every role a
// thread, every role a task of this thread, or mixed (role 0 a task here, the
// others alternately a process and a thread). A gate word on the board holds
// every role until all have started, so no wait's timeout is spent on a
// peer's start-up.
import { Process, Thread } from '../../src/index.js'
import { open, type Board } from './board.js'
import type { Role } from './scenarios.js'
import type { RoleOptions } from './roles/options.js'

export type Level = 'processes' | 'threads' | 'tasks' | 'mixed'
export const LEVELS: Level[] = ['processes', 'threads', 'tasks', 'mixed']

type Where = 'process' | 'thread' | 'task'

function placeOf(level: Level, role: number): Where {
  switch (level) {
    case 'processes':
      return 'process'
    case 'threads':
      return 'thread'
    case 'tasks':
      return 'task'
    case 'mixed':
      return role === 0 ? 'task' : role % 2 === 1 ? 'process' : 'thread'
  }
}

/**
 * Runs `roles` (role i gets `board, i, opts, ...args`) at `level`; returns the
 * names of roles still running `watchdogMs` after the start (killed if
 * processes) and of child roles that ended with an error. Blocking forms of a task here block this thread: only one role
 * is ever a task of this thread in the blocking form (mixed).
 */
export async function runRoles(level: Level, roles: Role[], board: Board, opts: RoleOptions, watchdogMs: number): Promise<{ hung: string[]; failed: string[] }> {
  const children: Array<{ name: string; worker: Process | Thread }> = []
  const tasks: Array<() => Promise<void>> = []
  roles.forEach((role, i) => {
    const args = [board, i, opts, ...role.args]
    const where = placeOf(level, i)
    if (where === 'task') {
      tasks.push(() => (role.fn as (...a: unknown[]) => Promise<void>)(...args))
    } else {
      const worker = where === 'process' ? new Process({ target: role.fn, args, daemon: true }) : new Thread({ target: role.fn, args, daemon: true })
      children.push({ name: role.name, worker })
    }
  })
  const t0 = performance.now()
  for (const c of children) await c.worker.start()
  const started = performance.now()
  if (process.env.STRESS_TRACE) console.log(`  started ${children.length} in ${Math.round(started - t0)} ms`)
  open(board)
  const here = Promise.all(tasks.map((t) => t()))
  let timer: NodeJS.Timeout | undefined
  const watchdog = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), watchdogMs)
  })
  const hung: string[] = []
  const failed: string[] = [] // children that ended with an error (one that could not even start its role writes nothing on the board)
  if ((await Promise.race([here, watchdog])) === 'hung') hung.push(...roles.filter((_, i) => placeOf(level, i) === 'task').map((r) => r.name))
  for (const c of children) {
    const left = Math.max(0, watchdogMs - (performance.now() - started))
    await c.worker.join(left)
    if (c.worker.isAlive()) {
      hung.push(c.name)
      if (c.worker instanceof Process) c.worker.kill()
    } else if (c.worker.exitCode !== 0) failed.push(`${c.name} ended with exit code ${String(c.worker.exitCode)}`)
  }
  clearTimeout(timer)
  if (process.env.STRESS_TRACE) console.log(`  ran and joined in ${Math.round(performance.now() - started)} ms`)
  return { hung, failed }
}
