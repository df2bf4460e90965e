/**
 * The bench watchdog: `npm run bench` runs each bench in a child process of
 * its own (its own process group), and a bench that has not reported within
 * its limit is failed by name and killed with everything it started (skein
 * children, the fork server, Python peers, a local redis-server), instead of
 * hanging the run. A hang inside a bench usually blocks its thread (a
 * `waitSync` that is never woken), so no timer inside it could fire: the
 * watchdog has to live in another process.
 *
 * The limit is `BENCH_WATCHDOG_S` seconds (default 600) per bench.
 *
 * @example
 * import { superviseBench } from './watchdog.ts'
 * const outcome = await superviseBench('lock', new URL('./index.ts', import.meta.url), 600_000)
 * if ('error' in outcome) console.error(outcome.error)
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './row.ts'

/** Milliseconds a bench may run before the watchdog fails it. */
export const WATCHDOG_MS = watchdogMs(process.env.BENCH_WATCHDOG_S)

/** What a supervised bench came back with: its rows, or why it has none. */
export type BenchOutcome = { rows: BenchRow[]; seconds: number } | { error: string; seconds: number }

/** The message a bench child sends when it is done. */
type Report = { rows: BenchRow[] } | { error: string }

/**
 * Runs bench `name` as `node <entry> --one <name>` (the child calls
 * {@link reportBench}) and resolves with its rows, or with an error naming
 * the bench if it threw, died, or outlived `limitMs` (then its whole
 * process group is killed).
 */
export function superviseBench(name: string, entry: URL, limitMs: number = WATCHDOG_MS): Promise<BenchOutcome> {
  const started = performance.now()
  const seconds = () => (performance.now() - started) / 1000
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(entry), ['--one', name], { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let report: Report | undefined
    let hung = false
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      hung = true
      killGroup()
    }, limitMs)
    // The child has a process group of its own, so a Ctrl-C here would not reach it.
    const onSignal = (): void => {
      killGroup()
      process.exit(130)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    process.once('exit', killGroup)
    child.on('message', (m: Report) => { report = m })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      process.off('exit', killGroup)
      killGroup() // whatever the bench left behind
      if (hung) resolve({ error: `bench '${name}' did not finish within ${Math.round(limitMs / 1000)} s: the watchdog killed it and its children (a lost wake-up, or a peer that never answered; BENCH_WATCHDOG_S sets the limit)`, seconds: seconds() })
      else if (report !== undefined && 'rows' in report) resolve({ rows: report.rows, seconds: seconds() })
      else if (report !== undefined) resolve({ error: `bench '${name}' failed: ${report.error}`, seconds: seconds() })
      else resolve({ error: `bench '${name}' died (${signal ?? `exit code ${code}`}) before reporting`, seconds: seconds() })
    })
  })
}

/** In a bench child: runs `bench`, sends its rows (or its error) to the supervisor, and exits. */
export async function reportBench(bench: () => Promise<BenchRow[]>): Promise<never> {
  let report: Report
  try {
    report = { rows: await bench() }
  } catch (error) {
    report = { error: (error as Error)?.stack ?? String(error) }
  }
  await new Promise<void>((resolve) => process.send!(report, () => resolve()))
  process.exit('rows' in report ? 0 : 1)
}

function watchdogMs(setting: string | undefined): number {
  if (setting === undefined || setting === '') return 600_000
  const s = Number(setting)
  if (!Number.isFinite(s) || s <= 0) throw new RangeError(`BENCH_WATCHDOG_S must be a positive number of seconds (got ${setting})`)
  return s * 1000
}
