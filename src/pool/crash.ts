/**
 * What happens to the tasks a worker held when it dies (gh-66587 is where
 * Python's pool hangs instead).
 *
 * The worker wrote the sequence number of each task into its started cell
 * before running it, and the parent drained the result queue first (results
 * sent before the death are kept). So of the tasks still held:
 * - `seq <= started`: the one it was running, and any it finished but had
 *   not reported: they reject with `WorkerCrashedError`;
 * - `seq > started`: never started: they go back to the front of the
 *   backlog and run on another worker. Nothing runs twice.
 */
import { constants } from 'node:os'
import { WorkerCrashedError } from '../errors.js'
import type { Task } from './task.js'

/** Settles the tasks a dead worker held; returns those that never started, in order, to run elsewhere. */
export function settleHeld(held: readonly Task[], started: number, worker: number | undefined, code: number): Task[] {
  const again: Task[] = []
  const why = exitReason(code)
  for (const task of held) {
    if (task.seq <= started) task.sink._reject(new WorkerCrashedError(worker, why))
    else {
      task.seq = 0
      again.push(task)
    }
  }
  return again
}

/** An exit code as words: `killed by SIGKILL`, `exit code 3`. */
export function exitReason(code: number): string {
  if (code < 0) {
    const name = Object.entries(constants.signals).find(([, n]) => n === -code)?.[0]
    return `killed by ${name ?? `signal ${-code}`}`
  }
  return `exit code ${code}`
}
