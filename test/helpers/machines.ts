/**
 * "Machines" for the cluster tests: a Redis server and N places to run a
 * script, each script a separate node process with its own connections.
 * Two kinds share one interface:
 *
 * - `netns` (test/helpers/netns.ts): every machine is its own network
 *   namespace on a private bridge, Redis in one more — as close to separate
 *   hosts as one box gets (no shared loopback, one way between them).
 * - `loopback` (here): plain separate processes and a private redis-server
 *   on 127.0.0.1 — where namespaces can't be made (not root, no iproute2).
 *
 * Scripts run as `node --import tsx <script> …args` from the repository root
 * and talk to the test through their stdout: one JSON value per line.
 *
 *   const machines = await startLoopbackMachines(3)
 *   const ran = await machines.run(0, 'test/fixtures/machines/redis-command.ts', [machines.redisUrl, 'PING'])
 *   ran.values // [{ reply: 'PONG' }]
 *   await machines.stop()
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startLocalRedis } from '../../examples/local-redis.js'

/** The repository root: scripts run from here so `--import tsx` resolves. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** How a script run on a machine ended. */
export interface Ran {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Every stdout line that parses as JSON, in order (other lines are ignored). */
  values: unknown[]
}

/** A script started on a machine and not awaited yet. */
export interface Started {
  child: ChildProcess
  /** Resolves when the script exits (never rejects: look at `code`). */
  done: Promise<Ran>
  /** Resolves with the first stdout JSON value that `test` accepts (rejects if the script exits first). */
  waitFor(test: (value: unknown) => boolean): Promise<unknown>
}

/** Options of a run: extra environment, and a hang bound after which the script is killed. */
export interface RunOptions {
  env?: Record<string, string>
  /** Milliseconds before SIGKILL; default 45,000 (a hang bound, not a timing claim). */
  timeout?: number
}

/** N machines and a Redis server they all reach. */
export interface Machines {
  readonly kind: 'netns' | 'loopback'
  /** How many machines scripts can run on (0 … size-1). */
  readonly size: number
  /** The Redis URL as the machines see it. */
  readonly redisUrl: string
  /** Starts `node --import tsx <script> …args` on machine `index`. */
  start(index: number, script: string, args: string[], options?: RunOptions): Started
  /** Runs a script to its end. */
  run(index: number, script: string, args: string[], options?: RunOptions): Promise<Ran>
  /** Kills whatever still runs, stops Redis, and removes everything made. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * Spawns `command` and collects its output; the hang bound kills it. Shared by
 * both kinds of machines (netns prefixes `ip netns exec <ns>`).
 */
export function startCommand(command: string, args: string[], options: RunOptions, running: Set<ChildProcess>): Started {
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stdout = ''
  let stderr = ''
  const listeners = new Set<(value: unknown) => void>()
  let pending = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) {
      const value = parseJson(line)
      if (value !== undefined) for (const listener of listeners) listener(value)
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  // unref'd: the running child keeps the test alive by itself; this only bounds a hang.
  const timer = setTimeout(() => {
    stderr += `\n[killed: still running after ${options.timeout ?? 45_000} ms]`
    child.kill('SIGKILL')
  }, options.timeout ?? 45_000).unref()
  const done = new Promise<Ran>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      const values = stdout.split('\n').map(parseJson).filter((v) => v !== undefined)
      resolve({ code, signal, stdout, stderr, values })
    })
    child.once('error', (error) => { stderr += `\n${String(error)}` })
  })
  return {
    child,
    done,
    waitFor(test) {
      return new Promise((resolve, reject) => {
        const listener = (value: unknown) => {
          if (!test(value)) return
          listeners.delete(listener)
          resolve(value)
        }
        listeners.add(listener)
        void done.then((ran) => {
          if (listeners.delete(listener)) reject(new Error(`the script exited (${ran.code ?? ran.signal}) before saying what was awaited:\n${ran.stdout}\n${ran.stderr}`))
        })
      })
    },
  }
}

function parseJson(line: string): unknown {
  const text = line.trim()
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Kills (SIGKILL) every child still in `running` and waits for them to go. */
export async function killAll(running: Set<ChildProcess>): Promise<void> {
  await Promise.all([...running].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('close', () => resolve())
    child.kill('SIGKILL')
  })))
}

/** N separate processes on this host and a private redis-server on 127.0.0.1; undefined without redis-server. */
export async function startLoopbackMachines(size: number): Promise<Machines | undefined> {
  const redis = await startLocalRedis()
  if (redis === undefined) return undefined
  const running = new Set<ChildProcess>()
  let stopped = false
  const machines: Machines = {
    kind: 'loopback',
    size,
    redisUrl: redis.url,
    start(index, script, args, options = {}) {
      if (!(index >= 0 && index < size)) throw new RangeError(`machine ${index}: there are machines 0 to ${size - 1}`)
      return startCommand(process.execPath, ['--import', 'tsx', script, ...args], { ...options, env: { SKEIN_MACHINE: `m${index}`, ...options.env } }, running)
    },
    run(index, script, args, options) {
      return machines.start(index, script, args, options).done
    },
    async stop() {
      if (stopped) return
      stopped = true
      await killAll(running)
      await redis.stop()
    },
  }
  return machines
}
