/**
 * What a cluster worker agrees to run. A task message comes from Redis,
 * and anyone who can write to the pool's keys can write one; the module it
 * names is imported and run by the worker's local processes. So, as Celery
 * runs only the tasks a worker registered, a worker runs only modules under
 * its own root (`runWorker({ root })`, `skein worker --root DIR`; default
 * its working directory), resolved through symlinks on both sides: never a
 * `node:`, `data:`, `http:` or other scheme, never a file elsewhere, never an
 * export name that is not an identifier.
 */
import { realpathSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SkeinError } from '../../errors.js'

/**
 * A cluster worker refused a task: its module is not one the worker
 * serves (outside its root, or not a file). The client's task rejects with
 * an error of this name.
 *
 * @example
 * try { await pool.apply(fn, []) } catch (e) { if ((e as Error).name === 'TaskRefusedError') console.log('run the worker with --root over the task modules') }
 */
export class TaskRefusedError extends SkeinError {
  constructor(message: string) {
    super(message, 'ERR_SKEIN_TASK_REFUSED')
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,199}$/
/** Allowed modules remembered (a forged message can name any number of others: those are not). */
const REMEMBERED = 10_000

/** @internal A worker's gate: which task modules it serves. */
export class TaskGate {
  /** The root, resolved through symlinks. */
  readonly root: string
  readonly #allowed = new Set<string>()

  /** Throws a TypeError naming the fix when `root` is not a directory. */
  constructor(root: string, where: string) {
    let real: string
    try {
      real = realpathSync(resolve(root))
    } catch {
      throw new TypeError(`${where}: the root ${JSON.stringify(root)} does not exist; give the directory that holds the task modules (default: the working directory)`)
    }
    if (!statSync(real).isDirectory()) throw new TypeError(`${where}: the root ${JSON.stringify(root)} is not a directory; give the directory that holds the task modules`)
    this.root = real
  }

  /** Why export `name` of `url` must not run here, or undefined when it may. */
  refusal(url: string, name: string): string | undefined {
    if (!IDENTIFIER.test(name) || name in Object.prototype) return `the export name ${JSON.stringify(name.slice(0, 100))} is not an identifier a module exports`
    if (this.#allowed.has(url)) return undefined
    const why = this.#modulePlace(url)
    if (why === undefined && this.#allowed.size < REMEMBERED) this.#allowed.add(url)
    return why
  }

  #modulePlace(url: string): string | undefined {
    let path: string
    try {
      const parsed = new URL(url)
      if (parsed.protocol !== 'file:') return `a worker never serves ${parsed.protocol} modules, only files under its root ${this.root}`
      path = fileURLToPath(parsed)
    } catch {
      return `${JSON.stringify(url.slice(0, 200))} is not a file URL`
    }
    let real: string
    try {
      real = realpathSync(path)
    } catch {
      real = resolve(path) // not there: the runner says so; only where it would be is checked here
    }
    const rel = relative(this.root, real)
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return `${real} is outside the worker's root ${this.root}`
    return undefined
  }
}
