/**
 * One child process as the parent sees it, and how it is forked.
 *
 * How it works: the child is `child_process.fork` of bootstrap.ts/js with the
 * parent's cleaned execArgv, an IPC channel using V8 serialization (so
 * arguments keep Map, Set, BigInt…), and stdio inherited. The exit listener is
 * attached at fork time so no exit is missed; `poll`/`waitSync` use the
 * addon's pidfd wait, which never reaps, so libuv still reaps the child and
 * emits 'exit' — no zombies.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { ChildHandle } from './base.js'
import { exitCodeWithin } from './exit-wait.js'
import { childExecArgv } from './execargv.js'

/** Messages from a child's bootstrap. */
export type ChildMessage =
  | { skein: 'ready' }
  | { skein: 'started' }
  | { skein: 'failed'; error: { name: string; message: string; stack?: string } }

/** Where to fork: options that a warm spare cannot honour make a cold fork. */
export interface ForkOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  detached?: boolean
}

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const bootstrapPath = fileURLToPath(new URL(`./bootstrap${ext}`, import.meta.url))

/** A forked child and the promise of its first 'ready' message. */
export class ProcessChild implements ChildHandle {
  readonly id: number
  readonly exited: Promise<number>
  readonly ready: Promise<void>
  #code: number | null = null

  constructor(readonly cp: ChildProcess) {
    // A failed spawn, kill or send is emitted as 'error': unheard, it would crash the parent.
    cp.on('error', () => {})
    if (cp.pid === undefined) throw new Error('the child process could not be spawned (no pid): check that node can run here and that options.cwd is a directory you can enter')
    this.id = cp.pid
    this.exited = new Promise((resolve) => {
      cp.once('exit', (code, signal) => {
        this.#code = code ?? -(constants.signals[signal as keyof typeof constants.signals] ?? 0)
        resolve(this.#code)
      })
    })
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: ChildMessage) => { if (m?.skein === 'ready') { done(); resolve() } }
      const onExit = (code: number | null, signal: string | null) => { done(); reject(new Error(`the child process exited (${code ?? signal}) before its bootstrap was ready; see its stderr`)) }
      const done = () => { cp.off('message', onMessage); cp.off('exit', onExit) }
      cp.on('message', onMessage)
      cp.once('exit', onExit)
    })
    this.ready.catch(() => {})
  }

  poll(): number | null {
    if (this.#code !== null) return this.#code
    return exitCodeWithin(this.id, 0)
  }

  waitSync(timeoutMs: number | null): number | null {
    if (this.#code !== null) return this.#code
    return exitCodeWithin(this.id, timeoutMs ?? -1)
  }

  signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.#code === null) this.cp.kill(signal)
  }

  ref(): void {
    this.cp.ref()
  }

  unref(): void {
    this.cp.unref()
  }

  /** Keeps (or stops keeping) the parent alive for the IPC channel. */
  refChannel(on: boolean): void {
    const channel = this.cp.channel as { ref?(): void; unref?(): void } | undefined | null
    if (on) channel?.ref?.()
    else channel?.unref?.()
  }
}

/** Forks a bootstrap child; it sends 'ready' once loaded and waits for a job. */
export function forkChild(options: ForkOptions = {}): ProcessChild {
  const cp = fork(bootstrapPath, [String(process.pid), options.detached ? 'detached' : 'attached'], {
    execArgv: childExecArgv(),
    env: options.env,
    cwd: options.cwd,
    detached: options.detached ?? false,
    serialization: 'advanced',
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  })
  return new ProcessChild(cp)
}
