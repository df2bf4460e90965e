/**
 * How a cluster worker runs one task: on skein's local `Pool` (processes,
 * so CPU-bound tasks use every core), one local pool per task module.
 *
 * Why per module: a module that can't load here (not deployed at that path,
 * or throwing at import) breaks the local pool that tried to start workers
 * with it (docs/pools.md); isolating modules keeps the others running.
 * Why stand-ins (runtime/locate.ts `standInFor`): the worker hands the local pool
 * the task's module and export without importing the module itself — its
 * top level may be the client's main program.
 */
import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { fileURLToPath } from 'node:url'
import { WorkerCrashedError } from '../../errors.js'
import { Pool } from '../../pool/pool.js'
import { standInFor } from '../../runtime/locate.js'
import { decodeHandles } from './handles.js'
import { cannotLoadTypeScript, findTsx, isTypeScript, typeScriptLoads, useTsx } from './typescript.js'
import { CALL, FAILED, HANDLES, MAP, OK, toWire } from './wire.js'

/** A local child process died while running the task (its value: the reason). */
export const LOCAL_CRASH = 3

export type Outcome = [outcome: typeof OK | typeof FAILED | typeof LOCAL_CRASH, value: unknown]

interface ModulePool {
  /** Absent when the module is known broken here from the start. */
  pool?: Pool
  /** Set once the module proved unloadable here: every later task of it fails with this. */
  broken?: Error
}

export class LocalRunner {
  readonly #pools = new Map<string, ModulePool>()
  readonly #fns = new Map<string, Function>()

  constructor(private readonly concurrency: number, private readonly workerId: string, private readonly redisUrl: string, private readonly root: string) {}

  /** Runs task `kind` of export `name` of `url` on `payload`; never rejects. */
  async run(url: string, name: string, kind: number, payload: unknown): Promise<Outcome> {
    const entry = this.#poolFor(url)
    if (entry.broken !== undefined || entry.pool === undefined) return [FAILED, toWire(entry.broken)]
    const pool = entry.pool
    try {
      if (kind & HANDLES) payload = await decodeHandles(payload, this.redisUrl)
      const fn = this.#standIn(url, name)
      switch (kind & ~HANDLES) {
        case CALL: return [OK, await pool.apply(fn as (...a: unknown[]) => unknown, payload as unknown[])]
        case MAP: return [OK, await pool.map(fn as (x: unknown) => unknown, payload as unknown[], { chunksize: Math.max(1, (payload as unknown[]).length) })]
        default: return [OK, await pool.starmap(fn as (...a: unknown[]) => unknown, payload as unknown[][], { chunksize: Math.max(1, (payload as unknown[]).length) })]
      }
    } catch (error) {
      if (error instanceof WorkerCrashedError) return [LOCAL_CRASH, `a process of cluster worker ${this.workerId} died while running it (${error.reason})`]
      if (error instanceof Error && /^Pool: a worker could not start/.test(error.message)) {
        entry.broken ??= this.#cannotImport(url, error.message.replace(/^Pool: a worker could not start: /, ''), error)
        return [FAILED, toWire(entry.broken)]
      }
      return [FAILED, toWire(error)]
    }
  }

  /** Closes every local pool once its tasks finished. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()].flatMap((e) => (e.pool === undefined ? [] : [e.pool]))
    this.#pools.clear()
    for (const pool of pools) pool.close()
    await Promise.all(pools.map((pool) => pool.join()))
  }

  #poolFor(url: string): ModulePool {
    let entry = this.#pools.get(url)
    if (entry === undefined) {
      entry = this.#start(url)
      this.#pools.set(url, entry)
    }
    return entry
  }

  /** A local pool for module `url`, or why it can't have one here. */
  #start(url: string): ModulePool {
    if (url.startsWith('file:') && !existsSync(fileURLToPath(url))) return { broken: this.#cannotImport(url, `no such file on ${hostname()}`) }
    if (isTypeScript(url) && !typeScriptLoads()) {
      const tsx = findTsx(url, this.root)
      if (tsx === undefined) return { broken: cannotLoadTypeScript(this.workerId, url, this.root) }
      useTsx(tsx)
      return { pool: new Pool({ processes: this.concurrency, startMethod: 'spawn' }) }
    }
    return { pool: new Pool({ processes: this.concurrency }) }
  }

  #standIn(url: string, name: string): Function {
    const key = `${url}#${name}`
    let fn = this.#fns.get(key)
    if (fn === undefined) {
      fn = standInFor({ url, name })
      this.#fns.set(key, fn)
    }
    return fn
  }

  #cannotImport(url: string, reason: string, cause?: unknown): Error {
    if (cause === undefined) {
      return new Error(`cluster worker ${this.workerId} can't import the task module ${url} (${reason}): every machine that runs workers of this pool needs the module at the same path, with its dependencies — deploy it there, or run the worker where it is`)
    }
    return new Error(`cluster worker ${this.workerId} can't import the task module ${url} (${reason}): the file is there, but importing it failed on ${hostname()} — fix what the error says, or install the module's dependencies on this machine`, { cause })
  }
}
