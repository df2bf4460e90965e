/**
 * A real program run as a child process under tsx, for tests that look at it
 * from outside (skein top, the registry): its output lines as they come,
 * waiting for a line (bounded: a hang fails the test), and its end.
 *
 * @example
 * const p = runProgram('test/fixtures/deadlock-program.ts', ['processes'])
 * await p.line(/^waiting/)
 * p.kill()
 */
import { spawn, type ChildProcess } from 'node:child_process'

export interface Program {
  child: ChildProcess
  pid: number
  out: string[]
  err: string[]
  /** Resolves with the first stdout line matching `re` (already seen or to come); rejects after `ms`. */
  line(re: RegExp, ms?: number): Promise<string>
  /** Resolves with the exit code (-N for signal N); rejects after `ms`. */
  exit(ms?: number): Promise<number>
  kill(): void
}

export function runProgram(file: string, args: string[] = [], env: Record<string, string> = {}): Program {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const out: string[] = []
  const err: string[] = []
  const waiters = new Set<() => void>()
  const collect = (into: string[]) => {
    let partial = ''
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n')
      partial = parts.pop()!
      into.push(...parts)
      for (const w of waiters) w()
    }
  }
  child.stdout!.on('data', collect(out))
  child.stderr!.on('data', collect(err))
  let code: number | undefined
  const exited = new Promise<number>((resolve) => child.on('exit', (c, s) => {
    code = c ?? -(s === 'SIGKILL' ? 9 : 15)
    for (const w of waiters) w()
    resolve(code)
  }))
  return {
    child,
    pid: child.pid!,
    out,
    err,
    line(re, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = out.find((l) => re.test(l))
          if (found !== undefined) return done(() => resolve(found))
          if (code !== undefined) return done(() => reject(new Error(`program exited (${code}) before printing ${re}; stdout:\n${out.join('\n')}\nstderr:\n${err.join('\n')}`)))
        }
        const timer = setTimeout(() => done(() => reject(new Error(`no line ${re} within ${ms} ms; stdout:\n${out.join('\n')}\nstderr:\n${err.join('\n')}`))), ms)
        const done = (fn: () => void) => {
          clearTimeout(timer)
          waiters.delete(check)
          fn()
        }
        waiters.add(check)
        check()
      })
    },
    exit(ms = 90_000) {
      let timer: NodeJS.Timeout | undefined
      return Promise.race([
        exited.finally(() => clearTimeout(timer)),
        new Promise<number>((_, reject) => { timer = setTimeout(() => reject(new Error(`program still running after ${ms} ms; stdout:\n${out.join('\n')}\nstderr:\n${err.join('\n')}`)), ms) }),
      ])
    },
    kill() {
      child.kill('SIGKILL')
    },
  }
}

/** Polls `probe` until it returns a value (not undefined); rejects after `ms` with `what`. */
export async function eventually<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`${what}: not seen within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Runs test/fixtures/deadlock-program.ts's `scenario` to its end under `SKEIN_DEADLOCKS=policy`; its stdout and stderr lines and exit code. */
export async function runScenario(scenario: string, policy: string, sideTimeout?: number): Promise<{ out: string[]; err: string[]; code: number }> {
  const p = runProgram('test/fixtures/deadlock-program.ts', sideTimeout === undefined ? [scenario] : [scenario, String(sideTimeout)], { SKEIN_DEADLOCKS: policy })
  const code = await p.exit()
  return { out: p.out, err: p.err, code }
}
