/**
 * Warm spares: one pre-forked child, bootstrap and addon loaded, waiting for a
 * job over IPC — so start()+join() of a small target costs a few ms instead
 * of Node's ~100 ms start-up (the forkserver idea from Python).
 *
 * How it works: the spare is unref'd (it never keeps the parent alive), dies
 * with the parent (PDEATHSIG, the IPC disconnect, and an explicit kill in the
 * parent's 'exit' handler), and is replaced in the background each time one
 * is taken. It is used only for default fork options: a custom env, cwd or
 * detached start forks cold. Nothing is pre-forked until the first Process is
 * created in a process, so children that never start processes keep none.
 */
import { forkChild, type ProcessChild } from './child.js'

let spare: ProcessChild | undefined
let disabled = false

/** Makes sure one spare is starting or waiting. */
export function warmSpare(): void {
  if (spare !== undefined || disabled) return
  const child = forkChild()
  child.unref()
  child.refChannel(false)
  void child.exited.then(() => { if (spare === child) spare = undefined })
  spare = child
}

/**
 * Takes the spare (possibly still booting) and schedules a replacement a
 * little later, so forking it does not compete with the child just started.
 */
export function takeSpare(): ProcessChild | undefined {
  const child = spare
  spare = undefined
  refillSoon()
  return child !== undefined && child.cp.exitCode === null && child.cp.signalCode === null && child.cp.connected ? child : undefined
}

let refill: NodeJS.Timeout | undefined
function refillSoon(): void {
  if (refill !== undefined) return
  refill = setTimeout(() => { refill = undefined; warmSpare() }, REFILL_DELAY_MS)
  refill.unref()
}
const REFILL_DELAY_MS = 30

/** Kills the spare (at exit) and keeps new ones from being made. */
export function dropSpare(): void {
  disabled = true
  spare?.signal('SIGKILL')
  spare = undefined
}
