/**
 * Target location: how a function or class becomes "module URL + export name"
 * so another thread or process can import it (Python's spawn pickles a
 * function by its qualified name; this is the same idea).
 *
 * How it works:
 * 1. Fast path: the modules on the caller's stack are imported again
 *    (`import()` of an evaluated module returns the same, cached instance) and
 *    their exports searched for the identical function.
 * 2. Fallback: `node:inspector` gives the function's `[[FunctionLocation]]`
 *    script id; `Debugger.scriptParsed` maps script ids to URLs (the debugger
 *    is enabled only to collect them, then disabled). That module's exports
 *    are searched the same way.
 * 3. A module still evaluating (a top-level `await p.start()` in the entry
 *    script) never finishes a dynamic `import()` of itself until the await is
 *    over, so an import that has not settled within a short grace period is
 *    not waited for: if the module's own scope binds the function's name to
 *    this very function (inspector `[[Scopes]]`), that name is used as the
 *    export name and the child checks it is exported ({@link loadFunction} throws a TypeError there, which
 *    rejects `start()` in the parent).
 *
 * Results are cached per function in a WeakMap.
 */
import { Session } from 'node:inspector'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname } from 'node:path'

/** Where a function lives: import `url` and take export `name`. */
export interface FunctionRef {
  url: string
  name: string
}

const cache = new WeakMap<Function, FunctionRef>()
/** URLs whose import did not settle quickly (still evaluating); cleared when it does. */
const evaluating = new Set<string>()
const GRACE_MS = 40
/** skein's own source/dist root: its frames are not "the caller". */
const ownRoot = dirname(dirname(fileURLToPath(import.meta.url)))

/**
 * Finds the module URL and export name of an exported function or class.
 *
 * @example
 * import { describeFunction } from './locate.js'
 * export function work() {}
 * console.log(await describeFunction(work)) // { url: 'file:///…/this.js', name: 'work' }
 */
export async function describeFunction(fn: Function): Promise<FunctionRef> {
  if (typeof fn !== 'function') throw new TypeError(`expected a function or class to run elsewhere, got ${describeValue(fn)}`)
  const cached = cache.get(fn)
  if (cached) return cached
  if (fn.name.startsWith('bound ') && !Object.prototype.hasOwnProperty.call(fn, 'prototype')) {
    throw new TypeError(`cannot run the bound function '${fn.name}' in another thread or process: bind() makes a new function that no module exports. Export the original function and pass its arguments with args`)
  }
  for (const url of callerUrls()) {
    const ns = await importQuickly(url)
    const ref = ns === undefined ? undefined : searchExports(ns, url, fn)
    if (ref) return remember(fn, ref)
  }
  const { url } = await inspectFunction(fn, false)
  if (url === undefined || !/^(file|data):/.test(url)) throw notExported(fn, url)
  const ns = await importQuickly(url)
  if (ns !== undefined) {
    const ref = searchExports(ns, url, fn)
    if (ref) return remember(fn, ref)
    throw notExported(fn, url)
  }
  // The module is still evaluating (a top-level await): trust a module-level
  // binding of the same name; the child checks that it is exported.
  if (isIdentifier(fn.name) && (await inspectFunction(fn, true)).bound) return remember(fn, { url, name: fn.name })
  throw notExported(fn, url)
}

/**
 * Imports the module a {@link FunctionRef} names and returns the export.
 * Throws a TypeError naming the module when the export is missing or is not
 * a function.
 *
 * @example
 * import { describeFunction, loadFunction } from './locate.js'
 * export function work() { return 42 }
 * console.log((await loadFunction(await describeFunction(work)))()) // 42
 */
export async function loadFunction(ref: FunctionRef): Promise<Function> {
  const ns = (await import(ref.url)) as Record<string, unknown>
  const value = ns[ref.name]
  if (typeof value !== 'function') {
    throw new TypeError(`module ${ref.url} has no exported function or class '${ref.name}' (found ${describeValue(value)}): export it from its module under that name (export function ${ref.name}…), so other threads and processes can import it`)
  }
  return value
}

/**
 * A function that stands for the export `ref` names, without importing its
 * module here: {@link describeFunction} answers `ref` for it, so a pool
 * given it runs the real export in its workers. Calling it here throws.
 * Why: a cluster worker hands tasks to its local Pool by module and name,
 * and must not import the task module itself (its top level may be the
 * client's main program).
 *
 * @example
 * import { standInFor, describeFunction } from './locate.js'
 * const fn = standInFor({ url: 'file:///srv/app/work.js', name: 'square' })
 * console.log(await describeFunction(fn)) // { url: 'file:///srv/app/work.js', name: 'square' }
 */
export function standInFor(ref: FunctionRef): Function {
  const fn = { [ref.name]: () => { throw new Error(`'${ref.name}' of ${ref.url} is a stand-in: it runs only in a pool's workers`) } }[ref.name]!
  remember(fn, { url: ref.url, name: ref.name })
  return fn
}

function remember(fn: Function, ref: FunctionRef): FunctionRef {
  cache.set(fn, ref)
  return ref
}

/** Searches a module's exports for `fn`. */
function searchExports(ns: Record<string, unknown>, url: string, fn: Function): FunctionRef | undefined {
  if (ns.default === fn) return { url, name: 'default' }
  for (const name of Object.keys(ns)) if (ns[name] === fn) return { url, name }
  return undefined
}

async function importQuickly(url: string): Promise<Record<string, unknown> | undefined> {
  if (evaluating.has(url)) return undefined
  let timer: NodeJS.Timeout | undefined
  const loaded = import(url).then((ns: Record<string, unknown>) => {
    evaluating.delete(url)
    return ns
  }, () => undefined)
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(resolve, GRACE_MS, undefined) })
  const ns = await Promise.race([loaded, late])
  clearTimeout(timer)
  if (ns === undefined) evaluating.add(url)
  return ns
}

/** file: URLs of the modules on the current stack, outside skein, innermost first. */
function callerUrls(): string[] {
  const stack = new Error().stack ?? ''
  const urls: string[] = []
  for (const line of stack.split('\n').slice(1)) {
    const m = /[\s(]((?:file:\/\/)?\/[^()\s]*?):\d+:\d+\)?\s*$/.exec(line)
    if (!m) continue
    const url = m[1].startsWith('/') ? pathToFileURL(m[1]).href : m[1]
    let path: string
    try { path = fileURLToPath(url) } catch { continue }
    if (path.startsWith(ownRoot + '/') || path.includes('/node_modules/')) continue
    if (!urls.includes(url)) urls.push(url)
    if (urls.length === 3) break
  }
  return urls
}

let session: Session | undefined
const scripts = new Map<string, string>()

function post<T>(method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)))
  })
}

interface Located {
  url: string | undefined
  /** Whether the module scope binds fn.name to fn itself (checked only on request). */
  bound: boolean
}

type Props = { result: Array<{ name: string; value?: { objectId?: string; description?: string } }>; internalProperties?: Array<{ name: string; value?: { objectId?: string; value?: { scriptId: string } } }> }

/** The URL of the script that defines `fn`, from the inspector; optionally whether its module scope binds fn.name to it. */
async function inspectFunction(fn: Function, checkBinding: boolean): Promise<Located> {
  if (session === undefined) {
    session = new Session()
    session.connect()
    session.on('Debugger.scriptParsed', (m) => { if (m.params.url) scripts.set(m.params.scriptId, m.params.url) })
  }
  const key = `__skein_locate_${Math.random().toString(36).slice(2)}`
  const g = globalThis as Record<string, unknown>
  // One group per call: releasing a shared group would free the objects of a lookup still running concurrently.
  const objectGroup = `skein-locate-${key}`
  g[key] = fn
  let scriptId: string | undefined
  let bound = false
  try {
    const { result } = await post<{ result: { objectId?: string } }>('Runtime.evaluate', { expression: `globalThis.${key}`, objectGroup })
    if (result.objectId === undefined) return { url: undefined, bound }
    const props = await post<Props>('Runtime.getProperties', { objectId: result.objectId, ownProperties: true })
    scriptId = props.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value?.scriptId
    const scopes = props.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId
    if (checkBinding && scopes !== undefined && fn.name !== '') {
      const list = await post<Props>('Runtime.getProperties', { objectId: scopes, ownProperties: true })
      const module = list.result.find((item) => item.value?.description === 'Module')?.value?.objectId
      const binding = module === undefined ? undefined : (await post<Props>('Runtime.getProperties', { objectId: module, ownProperties: true })).result.find((b) => b.name === fn.name)?.value?.objectId
      if (binding !== undefined) {
        const same = await post<{ result: { value?: boolean } }>('Runtime.callFunctionOn', { objectId: result.objectId, functionDeclaration: 'function (v) { return v === this }', arguments: [{ objectId: binding }], returnByValue: true })
        bound = same.result.value === true
      }
    }
  } finally {
    delete g[key]
    await post('Runtime.releaseObjectGroup', { objectGroup }).catch(() => {})
  }
  if (scriptId === undefined) return { url: undefined, bound }
  if (!scripts.has(scriptId)) {
    await post('Debugger.enable')
    await post('Debugger.disable')
  }
  return { url: scripts.get(scriptId), bound }
}

function notExported(fn: Function, url: string | undefined): TypeError {
  const what = kindOf(fn)
  const where = url === undefined ? '' : ` defined in ${url}`
  const why = what === 'an arrow function' || fn.name === ''
    ? `${what} has no name another process could import it by`
    : `'${fn.name}' is not exported from its module (or is a closure inside another function)`
  return new TypeError(`cannot run ${what}${fn.name ? ` '${fn.name}'` : ''}${where} in another thread or process: ${why}. Export it from the top level of its module (export function ${fn.name || 'work'}(…) {…}) and pass that function — children import it by module and name, like Python pickles functions by qualified name`)
}

function kindOf(fn: Function): string {
  const src = Function.prototype.toString.call(fn)
  if (src.startsWith('class')) return 'the class'
  if (!/^(async\s+)?function\b/.test(src) && /^[^{]*=>/.test(src)) return 'an arrow function'
  return 'the function'
}

function isIdentifier(name: string): boolean {
  return /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name)
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`
  return typeof value
}
