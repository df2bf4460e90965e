/**
 * The child side of a job, shared by the process and thread bootstraps:
 * import the target's module (marked as bootstrapping, so an unguarded
 * top-level start() there throws instead of forking without end), decode the
 * arguments, and run the target, printing a thrown error with its stack.
 */
import { inspect } from 'node:util'
import { decode } from '../shm/handle.js'
import { rebuild, type Backend } from './base.js'
import { context } from '../runtime/context.js'
import type { Job } from './job.js'
import { loadFunction, type FunctionRef } from '../runtime/locate.js'

const ROOT = '../index.js'
/** The root import, once per thread. */
let rootLoaded: Promise<unknown> | undefined
/**
 * Located functions already imported by this thread, by `url#name`: a reused
 * worker runs many jobs, and under loader hooks (tsx) every `import()`, even
 * of a cached module, is a round trip to the hooks thread. ESM modules are
 * never unloaded, so the function found once stays the answer.
 */
const loaded = new Map<string, Function>()

/** `loadFunction`, once per export in this thread (the fork server uses it too). */
export async function loadOnce(ref: FunctionRef): Promise<Function> {
  const key = `${ref.url}#${ref.name}`
  let fn = loaded.get(key)
  if (fn === undefined) loaded.set(key, (fn = await loadFunction(ref)))
  return fn
}

/**
 * `loadOnce` as a child imports its target: marked as bootstrapping, so an
 * unguarded top-level `start()` or `new Pool()` in the module throws instead
 * of forking without end (a pool worker loads its task modules this way).
 */
export async function loadBootstrapping(ref: FunctionRef): Promise<Function> {
  const ctx = context()
  const was = ctx.bootstrapping
  ctx.bootstrapping = true
  try {
    return await loadOnce(ref)
  } finally {
    ctx.bootstrapping = was
  }
}

/** The package root, imported once per thread: it registers every shared kind (when the root exists). */
export function loadRoot(): Promise<unknown> {
  return (rootLoaded ??= import(ROOT).catch(() => {}))
}

/**
 * Loads everything the job needs; returns the call that runs it. With
 * `lazyRoot`, the package root is imported only if the arguments hold a
 * shared object whose kind is not registered yet (a cold worker thread then
 * skips ~45 ms of module loading when its target needs no more of skein).
 */
export async function loadJob(job: Job, backend: Backend, handles: unknown[], lazyRoot = false): Promise<() => unknown> {
  const ctx = context()
  ctx.bootstrapping = true
  let cls: Function | undefined
  let target: Function | undefined
  try {
    if (!lazyRoot) await loadRoot()
    if (job.cls !== undefined) cls = await loadOnce(job.cls)
    if (job.target !== undefined) target = await loadOnce(job.target)
  } finally {
    ctx.bootstrapping = false
  }
  const args = (await decodeKinds(job.args)) as unknown[]
  job.handleArgs.forEach((index, i) => { args[index] = handles[i] })
  if (cls !== undefined) {
    const fields = (await decodeKinds(job.fields)) as Record<string, unknown>
    const instance = rebuild(cls, backend, job, target, args, fields)
    return () => instance.run()
  }
  return () => target?.(...args)
}

/** decode(), importing the package root first when a shared kind is not registered yet. */
async function decodeKinds(value: unknown): Promise<unknown> {
  try {
    return await decode(value)
  } catch (error) {
    if (!(error instanceof TypeError) || !/module was not loaded/.test(error.message)) throw error
    await loadRoot()
    return decode(value)
  }
}

/** Prints an error that ended a child the way Python prints a traceback. */
export function printFailure(kind: string, name: string, error: unknown): void {
  process.stderr.write(`${kind} ${name}:\n${inspect(error)}\n`)
}

/** A thrown value as plain, cloneable data. */
export function serializeError(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack }
  return { name: 'Error', message: String(error) }
}

/** Rebuilds an error from another thread or process, keeping its class where it is standard. */
export function reviveError(e: { name: string; message: string; stack?: string }, where: string): Error {
  const Ctor = e.name === 'TypeError' ? TypeError : e.name === 'RangeError' ? RangeError : Error
  const error = new Ctor(`${e.message} (in ${where})`, { cause: e.stack })
  if (Ctor === Error && e.name !== 'Error') error.name = e.name
  return error
}
