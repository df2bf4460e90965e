/**
 * A pool's worker process. Its target is a tiny generated module (a `data:`
 * URL) that imports the worker loop and every task module the pool has seen,
 * then exports `poolTarget`.
 *
 * Why: with the 'forkserver' start method under loader hooks (tsx), a forked
 * child cannot compile a TypeScript module the fork server never loaded
 * (docs/processes.md). The server loads a job's target module — and so its
 * static imports — before forking, so naming the task modules there makes
 * them loaded in every worker. A task module first seen after the workers
 * started makes the pool replace them (core.ts: dispatch stops a worker started without a module it now needs).
 */
import { EventEmitter } from 'node:events'
import type { ChildHandle } from '../process/base.js'
import { prepareJob } from '../process/job.js'
import type { StartMethod } from '../process/method.js'
import { processBackend } from '../process/process.js'
import type { PoolWorkerHandle } from './backend.js'

const workerUrl = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href

/** The `data:` URL of the target module for a set of task modules. */
export function targetModule(modules: readonly string[]): string {
  const lines = [`import { poolWorker } from ${JSON.stringify(workerUrl)};`]
  for (const url of modules) lines.push(`import ${JSON.stringify(url)};`)
  lines.push('export function poolTarget(...args) { return poolWorker(...args) }')
  return `data:text/javascript,${encodeURIComponent(lines.join('\n'))}`
}

/**
 * One worker process of a Pool.
 *
 * @example
 * // built by Pool: new ProcessWorker(args, 'PoolWorker-1', [taskModuleUrl], 'forkserver').start()
 */
export class ProcessWorker implements PoolWorkerHandle {
  readonly #args: unknown[]
  readonly #name: string
  readonly #target: string
  readonly #method: StartMethod
  readonly #events = new EventEmitter()
  #child: ChildHandle | undefined
  #code: number | null = null
  #killed = false

  constructor(args: unknown[], name: string, modules: readonly string[], method: StartMethod) {
    this.#args = args
    this.#name = name
    this.#method = method
    this.#target = targetModule(modules)
  }

  get exitCode(): number | null { return this.#code }
  get id(): number | undefined { return this.#child?.id }

  async start(): Promise<void> {
    const { job, handles } = await prepareJob({
      kind: 'Process', name: this.#name, daemon: true, instance: this, base: ProcessWorker, target: undefined,
      args: this.#args, handles: processBackend.handles, cloneCheck: (v) => processBackend.cloneCheck(v),
    })
    job.target = { url: this.#target, name: 'poolTarget' }
    const child = await processBackend.launch(job, handles, { detached: false, startMethod: this.#method })
    this.#child = child
    void child.exited.then((code) => {
      this.#code = code
      this.#events.emit('exit', code)
    })
    if (this.#killed) child.signal('SIGKILL')
  }

  kill(): void {
    this.#killed = true
    if (this.#child !== undefined && this.#code === null) this.#child.signal('SIGKILL')
  }

  on(event: 'exit', listener: (code: number) => void): void {
    this.#events.on(event, listener)
  }

  async join(): Promise<void> {
    const child = this.#child
    if (child === undefined || this.#code !== null) return
    child.ref()
    try {
      await child.exited
    } finally {
      child.unref()
    }
  }
}
