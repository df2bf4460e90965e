/**
 * How many workers one pool may have. Each worker holds file descriptors in
 * this process (a process worker: its inbox segment and a pidfd; a worker
 * thread: its event loop's and its own, about ten), so a pool far larger
 * than the machine failed half-way with "memfd_create: Too many open files"
 * and left the process without descriptors until a garbage collection.
 * The size is checked before anything is made.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** Workers per pool at most, whatever the descriptor limit (a pool far beyond the CPU count only adds memory). */
export const MAX_WORKERS = 1024
/** Descriptors left for the rest of the program. */
const RESERVE = 64

/** This process's soft limit on open files and how many it has open now; undefined where /proc cannot tell. */
function descriptors(): { limit: number; open: number } | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))
    const limit = Number(line?.split(/\s{2,}/)[1])
    if (!Number.isFinite(limit)) return undefined
    return { limit, open: readdirSync('/proc/self/fd').length }
  } catch {
    return undefined
  }
}

/**
 * Throws a RangeError when `n` workers (`what`: "Pool: processes") are more
 * than MAX_WORKERS, or than the descriptors this process has left allow at
 * `perWorker` each.
 *
 * @example
 * import { checkWorkerCount } from './limits.js'
 * checkWorkerCount(1_000_000, 'Pool: processes', 3) // RangeError: … at most 1024 …
 */
export function checkWorkerCount(n: number, what: string, perWorker: number): void {
  if (n > MAX_WORKERS) {
    throw new RangeError(`${what} is ${n}, more than a pool may have (at most ${MAX_WORKERS}): use fewer workers — one per CPU (the default) suits CPU-bound tasks, and a few per CPU at most I/O-bound ones`)
  }
  const fds = descriptors()
  if (fds === undefined) return
  const room = Math.floor((fds.limit - fds.open - RESERVE) / perWorker)
  if (n > room) {
    throw new RangeError(`${what} is ${n}, but this process may open only ${Math.max(0, fds.limit - fds.open)} more files (ulimit -n is ${fds.limit}) and each worker needs about ${perWorker}: use at most ${Math.max(0, room)} workers, or raise the limit (ulimit -n)`)
  }
}
