/**
 * Reading other processes' shared memory through /proc, without the addon:
 * finding registries (memfds named `skein-registry`), and reading bytes of
 * any segment a process holds (`/proc/PID/fd/FD`, checked against the
 * segment's token, as native/skein.cc's attach does).
 *
 * Everything read here was written by another process and is treated as
 * untrusted: sizes and offsets are checked before use, and a file that
 * vanished or changed under us is simply skipped (the process ended).
 */
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs'
import { MEMFD_LINK } from '../layout.js'

/** A file of another process, opened for reading. */
export interface Opened {
  fd: number
  close(): void
}

/** Opens `/proc/PID/fd/FD` for reading, or undefined (gone, or not ours to read). */
export function openHeld(pid: number, fd: number): Opened | undefined {
  if (!isId(pid) || !Number.isInteger(fd) || fd < 0) return undefined
  try {
    const handle = openSync(`/proc/${pid}/fd/${fd}`, 'r')
    return { fd: handle, close: () => closeSync(handle) }
  } catch {
    return undefined
  }
}

/** Reads `length` bytes at `position`; fewer (or none) if the file is shorter. */
export function readAt(file: Opened, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length)
  let got = 0
  try {
    while (got < length) {
      const n = readSync(file.fd, buf, got, length - got, position + got)
      if (n === 0) break
      got += n
    }
  } catch {
    return buf.subarray(0, got)
  }
  return buf.subarray(0, got)
}

/**
 * Reads `length` bytes at `position` of the segment `token` that process
 * `pid` holds as fd `fd`, or undefined if that fd is no longer that segment.
 */
export function readSegment(pid: number, fd: number, token: string, position: number, length: number): Buffer | undefined {
  const file = openHeld(pid, fd)
  if (file === undefined) return undefined
  try {
    if (readAt(file, 0, 16).toString('latin1') !== token.padEnd(16, '\0').slice(0, 16)) return undefined
    return readAt(file, position, length)
  } finally {
    file.close()
  }
}

/** The fds of process `pid` that are skein registries. */
export function registryFds(pid: number): number[] {
  const found: number[] = []
  let entries: string[]
  try {
    entries = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return found
  }
  for (const entry of entries) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${entry}`) === MEMFD_LINK) found.push(Number(entry))
    } catch {
      // closed meanwhile
    }
  }
  return found
}

/** Every process id under /proc (whether we may read it or not). */
export function allPids(): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (isId(pid)) pids.push(pid)
  }
  return pids
}

/** The process (thread group) a thread id belongs to, or undefined if it is gone. */
export function processOf(tid: number): number | undefined {
  if (!isId(tid)) return undefined
  try {
    const m = /^Tgid:\s*(\d+)$/m.exec(readFileSync(`/proc/${tid}/status`, 'latin1'))
    return m === null ? undefined : Number(m[1])
  } catch {
    return undefined
  }
}

const TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux ABI Node runs on

/** CPU time (user + system) of thread `tid` of process `pid` (or of the whole process if `tid` is undefined), in ms, or undefined. */
export function cpuMs(pid: number, tid?: number): number | undefined {
  const rest = statFields(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`)
  return rest === undefined ? undefined : ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_SECOND
}

/** The parent of process `pid`, or undefined. */
export function parentOf(pid: number): number | undefined {
  const rest = statFields(`/proc/${pid}/stat`)
  return rest === undefined ? undefined : Number(rest[1])
}

/** The fields of a stat file after the command name (which may hold spaces and parentheses): [0] is field 3 (state). */
function statFields(path: string): string[] | undefined {
  try {
    const stat = readFileSync(path, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** Whether thread `tid` of process `pid` still runs. */
export function threadRuns(pid: number, tid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/task/${tid}/comm`)
    return true
  } catch {
    return false
  }
}

function isId(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < 1 << 22
}
