/**
 * What a fork server child does right after the fork, before any event of
 * the server's can run in it: stop being the server, take its own identity,
 * install an exit path that never enters Node's teardown, then run the job.
 *
 * Why each step (see forkserver.ts for the whole picture):
 * - The server's IPC channel fd was replaced by a dead socket natively; its
 *   listeners and the other queued requests' handles are dropped here.
 * - `process.pid` is a value Node set at start-up (the server's); Math.random
 *   state and randomUUID's cache are copies of the server's (every child would
 *   draw the same numbers), so they are renewed; after-fork hooks refresh
 *   cached thread ids.
 * - Only this thread exists: when the loop empties Node would wait for V8
 *   worker tasks no thread runs, and its exit path joins those threads. So
 *   process.exit() and the natural end both end with `_exit` (the addon's
 *   holdLoop emits 'beforeExit' and then exits); a fatal error ends in the
 *   addon's at-exit hook after Node printed it.
 */
import { closeSync } from 'node:fs'
import { constants } from 'node:os'
import { randomFillSync, randomUUID } from 'node:crypto'
import { Server, Socket } from 'node:net'
import { native } from '../native.js'
import { decode } from '../shm/handle.js'
import { rebuild } from './base.js'
import { context } from '../runtime/context.js'
import { identifyProcess } from '../observe/registry.js'
import { runAfterForkHooks } from '../shm/after-fork.js'
import { replaceLoaderThread } from './fork-loader.js'
import type { Job } from './job.js'
import { printFailure } from './run.js'
import { preloads } from './execargv.js'

/** A request to the fork server. */
export interface ForkRequest {
  skein: 'fork'
  id: number
  job: Job
  env: Record<string, string>
  cwd: string
  /** The parent's process.argv: a child sees it, as Python's children see the parent's sys.argv. */
  argv: string[]
}

/** A handle argument received by the server, as a duplicated fd. */
export interface HandleFd {
  kind: 'Socket' | 'Server'
  fd: number
}

/** What the server loaded for the job (module imported before the fork). */
export interface Loaded {
  cls: Function | undefined
  target: Function | undefined
}

/** Turns the freshly forked copy of the server into the job's process, then runs the job. */
/** Whether module loader hooks (tsx) run in this process: computed in the server, once. */
const hasLoaderHooks = preloads(process.execArgv).length > 0

/**
 * Runs, in the server, the code each child runs first (harmlessly: the
 * server's own random state is never used), so children find it compiled —
 * in a child, a function's first call compiles it and writes the result to
 * copy-on-write heap pages, a few ms over a start's path.
 */
export async function warmChildPath(): Promise<void> {
  reseedMathRandom()
  for (let i = 0; i < 128; i++) randomUUID()
  await decode([1, 'two', { three: 3 }])
}

export function becomeChild(req: ForkRequest, loaded: Loaded, handles: HandleFd[], otherFds: number[], parentPid: number, execArgv: string[], processBackend: import('./base.js').Backend): void {
  for (const fd of otherFds) {
    try { closeSync(fd) } catch { /* already closed */ }
  }
  process.removeAllListeners('message')
  process.removeAllListeners('disconnect')
  try { process.disconnect() } catch { /* the channel is a dead socket here */ }

  Object.defineProperty(process, 'pid', { value: native.gettid(), writable: true, configurable: true, enumerable: true })
  process.execArgv.splice(0, process.execArgv.length, ...execArgv)
  reseedMathRandom()
  // randomUUID() serves batches of 128 from a cache the server may have filled:
  // draw through one batch so the next comes from this child's own entropy.
  for (let i = 0; i < 128; i++) randomUUID()
  runAfterForkHooks()
  delete (globalThis as unknown as Record<symbol, unknown>)[Symbol.for('skein.thread.current')]

  installExitPath()
  if (hasLoaderHooks) replaceLoaderThread()
  if (!native.setPdeathsig(9, parentPid)) native.exitNow(1)

  process.argv.splice(0, process.argv.length, ...req.argv)
  for (const key of Object.keys(process.env)) if (!(key in req.env)) delete process.env[key]
  Object.assign(process.env, req.env)
  if (req.cwd !== process.cwd()) {
    try { process.chdir(req.cwd) } catch (error) { fail(req.job, error) }
  }
  const ctx = context()
  ctx.child = { name: req.job.name, daemon: req.job.daemon, parentPid }
  ctx.bootstrapping = false
  ctx.forkServer = false
  identifyProcess('process', req.job.name)
  void run(req.job, loaded, handles, processBackend)
}

async function run(job: Job, loaded: Loaded, handles: HandleFd[], processBackend: import('./base.js').Backend): Promise<void> {
  let call: () => unknown
  try {
    const args = (await decode(job.args)) as unknown[]
    const objects = handles.map(toObject)
    job.handleArgs.forEach((index, i) => { args[index] = objects[i] })
    if (loaded.cls !== undefined) {
      const fields = (await decode(job.fields)) as Record<string, unknown>
      const instance = rebuild(loaded.cls, processBackend, job, loaded.target, args, fields)
      call = () => instance.run()
    } else {
      const target = loaded.target
      call = () => target?.(...args)
    }
  } catch (error) {
    return fail(job, error)
  }
  try {
    await call()
  } catch (error) {
    fail(job, error)
  }
}

function fail(job: Job, error: unknown): never {
  printFailure('Process', job.name, error)
  process.exit(1)
}

function toObject(handle: HandleFd): Socket | Server {
  if (handle.kind === 'Server') return new Server().listen({ fd: handle.fd })
  return new Socket({ fd: handle.fd, readable: true, writable: true })
}

function installExitPath(): void {
  const proc = process as unknown as ProcessInternals
  proc.reallyExit = (code?: number) => native.exitNow(Number(code ?? 0) | 0)
  const emit = proc.emit
  proc.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    const result = emit.call(this, event, ...args)
    if (event === 'exit') native.setExitCode(Number(process.exitCode ?? args[0] ?? 1) | 0)
    return result
  }
  native.armExitHook()
  letSelfSignalsLand(proc)
  native.holdLoop((phase) => {
    if (phase === 'beforeExit') process.emit('beforeExit', Number(process.exitCode ?? 0))
    else process.exit()
  })
}

/** The parts of `process` the exit path replaces (Node's internals). */
interface ProcessInternals {
  reallyExit(code?: number): never
  emit(event: string | symbol, ...args: unknown[]): boolean
  _kill(pid: number, signal: number): number
}

/**
 * `process.kill(process.pid, 'SIGKILL')` must end the child by that signal
 * (exit code -9, as Python reports), not with exit code 1. Node runs the
 * at-exit hooks before a process signals itself when no JS handler takes the
 * signal, and the hook installed above would `_exit` first; so the hook lets
 * a self-signal land, and is armed again if the process lives on (the signal
 * was ignored or failed: Node has emptied its list of hooks).
 */
function letSelfSignalsLand(proc: ProcessInternals): void {
  const kill = proc._kill
  proc._kill = function (this: unknown, pid: number, signal: number): number {
    const self = signal > 0 && (pid === 0 || pid === -1 || pid === process.pid || pid === -process.pid)
    const name = Object.entries(constants.signals).find(([, n]) => n === signal)?.[0]
    if (!self || (name !== undefined && process.listenerCount(name) > 0)) return kill.call(this, pid, signal)
    native.signallingSelf(true)
    try {
      return kill.call(this, pid, signal)
    } finally {
      native.signallingSelf(false)
      native.armExitHook()
    }
  }
}

/** xoshiro128** seeded from the OS: the server's V8 random state is shared by every child. */
function reseedMathRandom(): void {
  const s = randomFillSync(new Uint32Array(4))
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1
  const next = (): number => {
    const x = Math.imul(s[1], 5)
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0
    const t = s[1] << 9
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
    s[3] = (s[3] << 11) | (s[3] >>> 21)
    return result
  }
  Math.random = function random(): number {
    return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992
  }
}
