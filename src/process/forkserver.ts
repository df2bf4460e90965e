/**
 * The 'forkserver' start method, parent side: one warm fork server per
 * process, started on first use, that forks each child natively in a few ms.
 *
 * How it works:
 * - The server (forkserver-main.ts) is `node` with this process's execArgv
 *   (tsx and loaders are registered there once) and V8's `--single-threaded`
 *   (a forked child has only the forking thread; without V8's background
 *   threads it runs at parity with its server). It is unref'd: it never keeps
 *   this process alive, it exits when this process disconnects, and dies
 *   with it (PDEATHSIG).
 * - A start sends the job (target reference, cloned arguments, env, cwd;
 *   socket arguments as handles) over IPC and gets the child's pid back. The
 *   server imports the target's module once, before its first fork; children
 *   then start with it loaded. The child is this process's own child
 *   (clone(CLONE_PARENT)): right ppid, PDEATHSIG aimed at this process, reaped
 *   here (forked.ts).
 * - If the server dies, pending starts without handle arguments retry once on
 *   a new server; its children are unaffected (they are not its children).
 * - If this Node cannot fork natively (a stripped binary: see the addon's
 *   prepareFork), 'forkserver' falls back to 'spawn' with one warning.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { context } from '../runtime/context.js'
import { childExecArgv } from './execargv.js'
import type { ForkRequest } from './fork-child.js'
import { ForkedChild } from './forked.js'
import type { Job } from './job.js'
import { reviveError } from './run.js'

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const serverPath = fileURLToPath(new URL(`./forkserver-main${ext}`, import.meta.url))

type Reply =
  | { skein: 'ready'; unavailable: string; young: number }
  | { skein: 'forked'; id: number; pid: number }
  | { skein: 'failed'; id: number; error: { name: string; message: string; stack?: string } }
  | { skein: 'unforkable'; id: number; reason: string }

/** How long a new fork server may take to get ready before this process spawns instead. */
const READY_TIMEOUT_MS = 60_000

/** The fork server died before answering: the start may be retried on a new one. */
class ServerDied extends Error {}

/** The kernel refused the server's fork: this process spawns from now on. */
class Unforkable extends Error {}

class ForkServer {
  readonly cp: ChildProcess
  /** '' once ready to fork; otherwise why this Node cannot. */
  readonly ready: Promise<string>
  /** Bytes of young generation the server held as it said it was ready (a diagnostic the tests read). */
  youngAtReady: number | undefined
  readonly waiting = new Map<number, { resolve(pid: number): void; reject(error: Error): void; name: string }>()
  /** Starts in progress: while any, the IPC channel keeps this process alive. */
  #holds = 0

  constructor() {
    const execArgv = childExecArgv()
    this.cp = fork(serverPath, [String(process.pid), JSON.stringify(execArgv)], {
      // One platform worker thread: --single-threaded leaves it (almost) idle, and every fork parks it first (native/fork.cc).
      execArgv: [...execArgv, '--single-threaded', '--v8-pool-size=1', '--expose-internals'],
      serialization: 'advanced',
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      // esbuild (tsx's compiler) answers its sync calls from a worker thread it starts once per process;
      // a forked child has no such thread but inherits the handle to it, so its first compile (a TS module
      // the server never loaded, under tsx's in-thread hooks on Node 22+) waited for ever. Without worker
      // threads esbuild runs its binary per sync call, which a forked child can do. Children's own
      // environment comes with each request: they do not see this.
      env: { ...process.env, ESBUILD_WORKER_THREADS: '0' },
    })
    this.cp.unref()
    this.#refChannel(false)
    this.ready = new Promise((settle) => {
      // A server that never gets ready (its warm-up stuck: a helper killed) must not hang every start.
      const late = setTimeout(() => settle(`the fork server was not ready within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS).unref()
      const resolve = (why: string): void => {
        clearTimeout(late)
        settle(why)
      }
      this.cp.on('message', (m: Reply) => {
        if (m?.skein === 'ready') {
          this.youngAtReady = m.young
          resolve(m.unavailable)
        }
        else if (m?.skein === 'forked' || m?.skein === 'failed' || m?.skein === 'unforkable') this.#settle(m)
      })
      this.cp.once('exit', (code, signal) => {
        if (server === this) server = undefined
        resolve(`the fork server exited (${code ?? signal}) before it was ready`)
        const error = new ServerDied(`the fork server (pid ${this.cp.pid}) exited (${code ?? signal}) before answering`)
        for (const w of this.waiting.values()) w.reject(error)
        this.waiting.clear()
      })
      this.cp.on('error', () => {}) // reported through 'exit'
    })
  }

  /** Asks for a child running `job`; resolves with its pid. */
  request(job: Job, handles: object[], env: Record<string, string>, cwd: string): Promise<number> {
    const id = nextId++
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, name: job.name })
      const failed = (error: Error | null) => {
        if (error && this.waiting.delete(id)) reject(new ServerDied(`could not send the start request to the fork server: ${error.message}`))
      }
      for (const handle of handles) {
        this.cp.send({ skein: 'handle', id, kind: handle instanceof Server ? 'Server' : 'Socket' }, handle as Server, failed)
      }
      const req: ForkRequest = { skein: 'fork', id, job, env, cwd, argv: process.argv }
      this.cp.send(req, failed)
    })
  }

  #settle(m: Extract<Reply, { id: number }>): void {
    const w = this.waiting.get(m.id)
    if (w === undefined) return
    this.waiting.delete(m.id)
    if (m.skein === 'forked') w.resolve(m.pid)
    else if (m.skein === 'unforkable') w.reject(new Unforkable(m.reason))
    else w.reject(reviveError(m.error, `the fork server, loading child process ${w.name}`))
  }

  /** Keeps this process alive for a start in progress (until release()). */
  hold(): void {
    if (this.#holds++ === 0) this.#refChannel(true)
  }

  release(): void {
    if (--this.#holds === 0) this.#refChannel(false)
  }

  #refChannel(on: boolean): void {
    const channel = this.cp.channel as { ref?(): void; unref?(): void } | undefined | null
    if (on) channel?.ref?.()
    else channel?.unref?.()
  }
}

let server: ForkServer | undefined
let unavailable: string | undefined
let nextId = 1
let exiting = false

/** Starts the fork server now if none runs (the first child then starts quickly too). */
export function warmForkServer(): void {
  if (server !== undefined || unavailable !== undefined || exiting || context().forkServer) return
  server = new ForkServer()
  if (server.cp.pid === undefined) { server = undefined; return }
  hookExit()
}

/**
 * Starts a child through the fork server. Resolves with it once forked, or
 * with undefined when this Node cannot fork natively (use 'spawn').
 */
export async function forkViaServer(job: Job, handles: object[], env: NodeJS.ProcessEnv, cwd: string): Promise<ForkedChild | undefined> {
  const plainEnv: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) if (value !== undefined) plainEnv[key] = value
  for (let attempt = 0; ; attempt++) {
    warmForkServer()
    const s = server
    if (s === undefined) return undefined
    s.hold()
    let why: string
    try {
      why = await s.ready
    } finally {
      s.release()
    }
    if (why !== '') {
      const alive = s.cp.exitCode === null && s.cp.signalCode === null
      if (!alive && attempt === 0) continue
      // This Node cannot fork natively, or the server cannot even start: spawn.
      unavailable = why
      process.emitWarning(`skein: the 'forkserver' start method is unavailable here (${why}); using 'spawn'`)
      s.cp.kill('SIGKILL')
      if (server === s) server = undefined
      return undefined
    }
    s.hold()
    try {
      return new ForkedChild(await s.request(job, handles, plainEnv, cwd))
    } catch (error) {
      if (error instanceof ServerDied && server === s) {
        server = undefined // its 'exit' may not have arrived yet: do not ask it again
        s.cp.kill('SIGKILL')
      }
      if (error instanceof ServerDied && attempt === 0 && handles.length === 0) continue
      if (error instanceof Unforkable) {
        unavailable = `the fork failed: ${error.message}`
        process.emitWarning(`skein: the 'forkserver' start method is unavailable here (${unavailable}); using 'spawn'`)
        s.cp.kill('SIGKILL')
        if (server === s) server = undefined
        if (handles.length === 0) return undefined
        throw new Error(`could not start the process: ${unavailable}; its socket arguments went to the fork server and are closed — start it again (it will spawn)`)
      }
      throw error
    } finally {
      s.release()
    }
  }
}

let hooked = false
function hookExit(): void {
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    exiting = true
    server?.cp.kill('SIGKILL')
  })
}

/** @internal why 'forkserver' falls back to 'spawn' here, once known (for tests). */
export function forkServerUnavailable(): string | undefined {
  return unavailable
}

/** @internal the running fork server's pid, if any (for tests). */
export function forkServerPid(): number | undefined {
  return server?.cp.pid
}

/** Bytes of young generation the current fork server held when it said it was ready (server-heap.ts), if one has. */
export function forkServerYoungAtReady(): number | undefined {
  return server?.youngAtReady
}
