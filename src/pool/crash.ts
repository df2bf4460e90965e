/**
 * What happens to the tasks a worker held when it dies (gh-66587 is where
 * Python's pool hangs instead).
 *
 * The worker wrote the sequence number of each task into its started cell
 * before running it, and the parent drained the result queue first (results
 * sent before the death are kept). So of the tasks still held:
 * - `seq <= started`: the one it was running, and any it finished but had
 *   not reported: each has now had one more run; with runs left under
 *   `maxAttempts` it goes back to run again (a retry), else it rejects with
 *   `WorkerCrashedError`. With the default `maxAttempts` of 1 nothing runs
 *   twice;
 * - `seq > started`: never started: they go back to the front of the
 *   backlog, in order, and run on another worker.
 */
import { constants } from 'node:os'
import { WorkerCrashedError } from '../errors.js'
import type { Task } from './task.js'

/** How a dead worker's tasks were settled. */
export interface HeldOutcome {
  /** To run again, in their order: retries and tasks that never started. */
  again: Task[]
  /** Of `again`, the tasks that had started (each one a retry). */
  retried: Task[]
  /** Tasks rejected with WorkerCrashedError. */
  failed: number
}

/** Settles the tasks a dead worker held (see the file comment). */
export function settleHeld(held: readonly Task[], started: number, worker: number | undefined, code: number, maxAttempts: number): HeldOutcome {
  const outcome: HeldOutcome = { again: [], retried: [], failed: 0 }
  const why = exitReason(code)
  for (const task of held) {
    if (task.seq <= started) {
      task.attempts++
      if (task.attempts >= maxAttempts) {
        outcome.failed++
        task.sink._reject(new WorkerCrashedError(worker, maxAttempts === 1 ? why : `${why}, on the last of ${task.attempts} runs — maxAttempts reached`))
        continue
      }
      outcome.retried.push(task)
    }
    task.seq = 0
    outcome.again.push(task)
  }
  return outcome
}

/** An exit code as words: `killed by SIGKILL`, `exit code 3`. */
export function exitReason(code: number): string {
  if (code < 0) {
    const name = Object.entries(constants.signals).find(([, n]) => n === -code)?.[0]
    return `killed by ${name ?? `signal ${-code}`}`
  }
  return `exit code ${code}`
}
