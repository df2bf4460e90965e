/**
 * Temporary directories that a killed program can't leave behind for long:
 * each is named after the process that made it (`<prefix><pid>-XXXXXX`), and
 * making one first removes those of the same prefix whose process is gone
 * (SIGKILLed, or cut off by a test runner's bound, before it cleaned up). A
 * redis-server whose pid a swept directory records (`server.pid`) is stopped
 * too, so no orphaned server outlives its program either.
 *
 *   const dir = ownedTempDir('skein-redis-')   // removed by you when done; by the next run if you were killed
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Makes `<tmpdir>/<prefix><pid>-XXXXXX`, after sweeping the ones dead processes left. */
export function ownedTempDir(prefix: string): string {
  sweepStale(prefix)
  return mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`))
}

function sweepStale(prefix: string): void {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-`)
  for (const name of readdirSync(tmpdir())) {
    const owner = pattern.exec(name)?.[1]
    if (owner === undefined || isAlive(Number(owner))) continue
    const dir = join(tmpdir(), name)
    stopRecordedServer(dir)
    rmSync(dir, { recursive: true, force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Kills the redis-server a swept directory's `server.pid` names, if that pid is still a redis-server (pids get reused). */
function stopRecordedServer(dir: string): void {
  try {
    const pid = Number(readFileSync(join(dir, 'server.pid'), 'utf8'))
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server')) process.kill(pid, 'SIGKILL')
  } catch {
    // No pid file, or the server is gone already.
  }
}
