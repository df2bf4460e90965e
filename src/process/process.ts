/**
 * `Process`: run a function (or a subclass's `run()`) in a child process,
 * Python's `multiprocessing.Process` with its 'forkserver' (default) and
 * 'spawn' start methods (method.ts).
 *
 * Semantics: the child imports the target's module — with 'spawn' a fresh
 * `node` does, with 'forkserver' the warm fork server did once before forking
 * it (forkserver.ts) — so module top-level code runs outside the parent:
 * guard it with isMainProcess(). The child receives the arguments by
 * structured clone — shared objects (Lock, Value, Queue…) as the same object,
 * `net.Socket`/`net.Server` as handles — and calls the target. Non-daemon
 * children are waited for before the parent exits; daemon children get
 * SIGTERM when it exits; every child gets SIGKILL from the kernel if the
 * parent dies (unless `detached`, which always spawns).
 */
import { constants as fsConstants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { serialize } from 'node:v8'
import { Runnable, registerBase, type Backend, type ChildHandle, type RunnableOptions } from './base.js'
import { forkChild, type ChildMessage, type ForkOptions, type ProcessChild } from './child.js'
import { reviveError } from './run.js'
import { dropSpare, takeSpare, warmSpare } from './spares.js'
import { forkViaServer, warmForkServer } from './forkserver.js'
import { checkStartMethod, getStartMethod, onStartMethodSet, type StartMethod } from './method.js'
import { context } from '../runtime/context.js'
import type { Job } from './job.js'
import { Server, Socket } from 'node:net'
import { MessagePort } from 'node:worker_threads'

/** Options of `new Process(…)`. */
export interface ProcessOptions extends RunnableOptions {
  /** Start the child in its own session; it then survives the parent's death. */
  detached?: boolean
  /** The child's environment (default: the parent's at start()). */
  env?: NodeJS.ProcessEnv
  /** The child's working directory (default: the parent's at start()). */
  cwd?: string
  /** How the child starts (default: getStartMethod()): 'forkserver' forks it from a warm server, 'spawn' runs a cold node. */
  startMethod?: StartMethod
}

const active = new Set<Process>()
let counter = 0
let hooked = false

/** The process backend: fork (or take a warm spare), send the job, await 'started'. */
export const processBackend: Backend = {
  kind: 'Process',
  handles: {
    types: [Socket, Server],
    refuse: [[MessagePort, 'cannot cross a process boundary (MessagePorts connect threads of one process): pass a Queue or Pipe']],
  },
  cloneCheck(value) { serialize(value) },
  launch: (job, handles, options) => launch(job, handles, options as ForkOptions & { startMethod?: StartMethod }),
  track(owner, alive) {
    if (alive) { active.add(owner as Process); hookExit() } else active.delete(owner as Process)
  },
}

async function launch(job: Job, handles: object[], options: ForkOptions & { startMethod?: StartMethod }): Promise<ChildHandle> {
  if (options.cwd !== undefined) await checkCwd(options.cwd, job.name)
  if ((options.startMethod ?? getStartMethod()) === 'forkserver' && !options.detached) {
    const child = await forkViaServer(job, handles, options.env ?? process.env, options.cwd ?? process.cwd())
    if (child !== undefined) {
      if (job.daemon) child.unref()
      return child
    }
  }
  return spawnChild(job, handles, options)
}

async function spawnChild(job: Job, handles: object[], options: ForkOptions): Promise<ProcessChild> {
  const warm = options.env === undefined && options.cwd === undefined && !options.detached
  // The child starts in this process's cwd and enters options.cwd before the job (bootstrap.ts): the
  // Node flags it inherits (--import tsx, a relative --loader) resolve where the parent resolved them.
  const child = (warm ? takeSpare() : undefined) ?? forkChild({ ...options, cwd: undefined })
  child.refChannel(true)
  child.ref()
  try {
    await child.ready
    for (const handle of handles) {
      await new Promise<void>((resolve, reject) => child.cp.send({ skein: 'handle' }, handle as Socket, (e) => (e ? reject(e) : resolve())))
    }
    const started = new Promise<void>((resolve, reject) => {
      const onMessage = (m: ChildMessage) => {
        if (m?.skein === 'started') { done(); resolve() }
        if (m?.skein === 'failed') { done(); reject(reviveError(m.error, `child process ${job.name}, pid ${child.id}`)) }
      }
      const fail = (code: number | null, signal: string | null) => {
        done()
        reject(new Error(`child process ${job.name} (pid ${child.id}) exited (${code ?? signal}) before running its target; see its stderr`))
      }
      // 'exit' comes from SIGCHLD and may overtake a 'started' still unread in
      // the IPC pipe (a quick target): decide only once the channel drained.
      const onExit = (code: number | null, signal: string | null) => {
        if (child.cp.connected) child.cp.once('disconnect', () => fail(code, signal))
        else fail(code, signal)
      }
      const done = () => { child.cp.off('message', onMessage); child.cp.off('exit', onExit) }
      child.cp.on('message', onMessage)
      child.cp.once('exit', onExit)
    })
    child.cp.send({ skein: 'run', job, env: warm ? process.env : undefined, cwd: options.cwd ?? (warm ? process.cwd() : undefined), argv: process.argv })
    await started
  } catch (error) {
    child.signal('SIGKILL')
    throw error
  } finally {
    child.refChannel(false)
  }
  if (job.daemon) child.unref()
  return child
}

/** Rejects for a cwd the child could not enter (else start would resolve and the child exit 1, or spawn fail). */
async function checkCwd(cwd: string, name: string): Promise<void> {
  const why = await stat(cwd).then(
    (s) => (s.isDirectory() ? access(cwd, fsConstants.X_OK).then(() => undefined, () => 'is a directory this user can\'t enter') : 'is not a directory'),
    (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'does not exist' : `can't be read (${error.code ?? error.message})`))
  if (why !== undefined) throw new Error(`Process ${name}: options.cwd '${cwd}' ${why}; create it, or pass the directory the child should start in`)
}

/** At exit, like Python's atexit hook: terminate daemon children, then wait for the others. */
function hookExit(): void {
  if (hooked) return
  hooked = true
  process.on('exit', () => {
    dropSpare()
    for (const p of active) if (p.daemon && p.isAlive()) p.terminate()
    for (const p of active) if (!p.daemon && p.isAlive()) p.joinSync()
  })
}

/**
 * A child process running `target(...args)`, or a subclass's `run()`.
 *
 * @example
 * import { Process, isMainProcess } from 'skein'
 * export function greet(who: string) { console.log(`hello, ${who}`) }
 * if (isMainProcess()) {
 *   const p = new Process({ target: greet, args: ['world'] })
 *   await p.start(); await p.join()
 *   console.log(p.exitCode) // 0
 * }
 */
export class Process extends Runnable {
  constructor(options: ProcessOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('new Process(options): options must be an object like { target, args }')
    if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) throw new TypeError('options.env must be an object of environment variables')
    if (options.cwd !== undefined && typeof options.cwd !== 'string') throw new TypeError('options.cwd must be a directory path string')
    const startMethod = options.startMethod === undefined ? undefined : checkStartMethod(options.startMethod, 'options.startMethod')
    const fork: ForkOptions & { startMethod?: StartMethod } = { env: options.env, cwd: options.cwd, detached: options.detached ?? false, startMethod }
    super(processBackend, options, () => `Process-${++counter}`, fork)
    if (context().forkServer) return // a module's top-level code in the fork server: no processes of its own
    if ((startMethod ?? getStartMethod()) === 'forkserver' && !fork.detached) warmForkServer()
    else if (!fork.detached && fork.env === undefined && fork.cwd === undefined) warmSpare()
  }

  /** The child's pid once started (in the child itself: its own pid). */
  get pid(): number | undefined {
    return this.isSelf ? process.pid : this.child?.id
  }
}
registerBase(Process)
onStartMethodSet((method) => { if (method === 'forkserver') warmForkServer() })

/**
 * The children of this process that are still running; finished ones are
 * forgotten (reaped), as Python's active_children() does.
 *
 * @example
 * import { activeChildren } from 'skein'
 * console.log(activeChildren().length) // 0
 */
export function activeChildren(): Process[] {
  return [...active].filter((p) => p.isAlive() || (active.delete(p), false))
}
