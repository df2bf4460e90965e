/**
 * `runWorker`: serve a cluster pool's tasks from this machine.
 */
import { cpuCount } from '../../runtime/context.js'
import { openConnection } from '../redis/connection.js'
import '../kind.js' // tasks' arguments may hold cluster objects
import { ClusterWorker } from './cluster-worker.js'
import { PoolKeys } from './scripts.js'
import { TaskGate } from './task-gate.js'

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  /** The Redis URL. */
  url: string
  /** The pool's name (as in `cluster.Pool({ name })`). */
  pool: string
  /** Namespace, as in connect(); default 'skein'. */
  namespace?: string
  /** Tasks run at once, each in a local process; default cpuCount(). */
  concurrency?: number
  /** Aborting it stops the worker after its tasks in hand finish. */
  signal?: AbortSignal
  /**
   * The directory whose modules (resolved through symlinks) this worker
   * runs tasks of; default the working directory. A task naming any other
   * module or scheme is refused, never imported.
   */
  root?: string
  /** Milliseconds to wait for Redis at the start before rejecting with RedisUnreachableError; default 3000. */
  connectTimeout?: number
  /** Where the worker reports what it refused or dead-lettered, one line each; default stderr. */
  log?: (line: string) => void
}

/**
 * Runs tasks of cluster pool `pool` on this machine, on `concurrency` local
 * processes (skein's `Pool`), until `signal` aborts; then finishes the
 * tasks in hand, gives back what it took but did not start, and resolves.
 * Task modules are imported by the local processes, by the same file URL
 * as on the client: deploy the same code at the same path on every machine.
 * Only modules under `root` are served: a message naming any other (a
 * forged one: anyone who can write to the pool's keys can write one) is
 * refused, and a message that can't be read goes to the pool's dead-letter
 * list (`namespace:Pool:name:dead`); each is logged in one line, and the
 * worker goes on. Rejects with `RedisUnreachableError` when Redis can't be
 * reached.
 *
 * @example
 * import { runWorker } from 'skein/cluster'
 * const stop = new AbortController()
 * process.once('SIGTERM', () => stop.abort())
 * await runWorker({ url: 'redis://127.0.0.1:6379', pool: 'squares', concurrency: 4, signal: stop.signal })
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  if (typeof options !== 'object' || options === null) throw new TypeError("runWorker(options): options must be an object like { url: 'redis://127.0.0.1:6379', pool: 'work' }")
  const { url, pool, namespace, signal } = options
  if (typeof url !== 'string') throw new TypeError("runWorker({ url }): url must be a Redis URL string such as 'redis://127.0.0.1:6379'")
  if (typeof pool !== 'string' || pool.length === 0 || pool.includes('\n')) throw new TypeError(`runWorker({ pool }): pool must be the non-empty name given to cluster.Pool({ name }) (got ${JSON.stringify(pool)})`)
  const concurrency = options.concurrency ?? cpuCount()
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`runWorker({ concurrency }): must be a positive integer (got ${String(concurrency)}); it is how many local processes run tasks — omit it for one per CPU`)
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('runWorker({ signal }): signal must be an AbortSignal (new AbortController().signal)')
  if (options.root !== undefined && typeof options.root !== 'string') throw new TypeError('runWorker({ root }): root must be a directory path')
  if (options.log !== undefined && typeof options.log !== 'function') throw new TypeError('runWorker({ log }): log must be a function (line: string) => void')
  const gate = new TaskGate(options.root ?? process.cwd(), 'runWorker({ root })')
  const cluster = await openConnection({ url, namespace, connectTimeout: options.connectTimeout })
  try {
    const keys = new PoolKeys(cluster.key('Pool', pool, ''))
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
    const say = (line: string): void => log(`skein worker ${cluster.clientId}: ${printable(line)}`)
    await new ClusterWorker(cluster, keys, concurrency, gate, say).run(signal ?? new AbortController().signal)
  } finally {
    await cluster.close()
  }
}

/** A line as it may reach a terminal: control characters (from a forged message) escaped. */
function printable(line: string): string {
  return line.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
