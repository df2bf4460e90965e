/**
 * A child's exit code, waited for without reaping it (pidfd + waitid
 * WNOWAIT, so Node's own bookkeeping stays intact): `-N` for a death by
 * signal N, null if it still runs after `timeoutMs` (-1: wait forever).
 */
import { native } from '../native.js'

export function exitCodeWithin(pid: number, timeoutMs: number): number | null {
  const status = native.waitExit(pid, timeoutMs)
  return status === null ? null : status.signal ? -status.signal : status.code
}
