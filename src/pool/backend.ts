/**
 * What the pool engine needs from a kind of worker: `Pool` starts worker
 * processes (pool.ts, process-worker.ts), `ThreadPool` worker threads
 * (thread-pool.ts). The engine never knows which.
 */

/** A started worker, as the pool sees it (a Process or a Thread). */
export interface PoolWorkerHandle {
  start(): Promise<void>
  kill(): void
  on(event: 'exit', listener: (code: number) => void): unknown
  readonly exitCode: number | null
  /** Waits for the exit (and keeps the event loop alive meanwhile: pool workers are daemons). */
  join(): Promise<void>
  /** The process id (processes) or thread id (threads), for error messages. */
  readonly id: number | undefined
}

/** How a pool starts its workers. */
export interface PoolBackend {
  /** 'Pool' or 'ThreadPool', for messages. */
  readonly kind: string
  /**
   * Whether workers must be told the task modules when they start (forked
   * processes under loader hooks cannot compile a module later; see
   * process-worker.ts). Given a module URL, true if a worker started without
   * it could not load it.
   */
  needsPreload(url: string): boolean
  /** Whether needsPreload can ever be true (then workers start once the first task module is known). */
  readonly preloads: boolean
  /** File descriptors one worker holds in the parent, about (limits.ts). */
  readonly fdsPerWorker: number
  create(args: unknown[], name: string, modules: readonly string[], recycled: boolean): PoolWorkerHandle
}
