/**
 * Module loading in a fork server child under loader hooks (tsx, --loader).
 *
 * Node runs `module.register` hooks on a loader thread; a forked child has
 * no threads but the forking one, so every `import()` would wait forever for
 * an answer. The child therefore swaps the hooks for an in-thread stand-in
 * (the server runs with `--expose-internals` to reach the loader):
 * - a specifier naming a module the server already loaded (including the
 *   `.js` → `.ts` mapping tsx does) resolves to it: no load is needed;
 * - other JavaScript (node_modules, .js/.mjs files, builtins) resolves and
 *   loads with Node's default loader;
 * - a TypeScript module the server never loaded cannot be compiled here, and
 *   fails with an error saying so (never a hang).
 * Without loader hooks none of this is needed: Node's own loader runs in-thread.
 *
 * Where the hooks live is Node's internals, and differs by release line, so
 * the stand-in replaces the one thing all three have: the methods of the
 * class that carries requests to the loader thread (`HooksProxy` on Node 20
 * and 22, `AsyncLoaderHookWorker` on 24: `makeAsyncRequest`,
 * `makeSyncRequest`, `importMetaInitialize`, `waitForWorker`), in the child
 * only. Where no hooks run on a thread (tsx uses Node's in-thread
 * `module.registerHooks` on Node 22 and 24) that class is never used, and the
 * child compiles TypeScript itself. The server checks the class is there
 * before it says ready; a Node without it falls back to 'spawn' with the
 * reason, never a hang.
 */
import { createRequire } from 'node:module'
import { preloads } from './execargv.js'

type Resolved = { url: string; format?: string | null; importAttributes?: Record<string, string> }
type Attributes = Record<string, string>
type Internals = {
  loader: { loadCache: { has(url: string): boolean } }
  /** The class whose instance carries requests to the loader thread. */
  worker: { prototype: object } | undefined
  defaultResolve(specifier: string, context: object): Resolved
  defaultConditions: string[]
  defaultLoad(url: string, context: object): unknown
  defaultLoadSync(url: string, context: object): unknown
  initializeImportMeta(meta: object, context: object, loader: object): object
}

const TS = /\.(ts|tsx|mts|cts)$/
const SWAPS: Array<[RegExp, string[]]> = [[/\.js$/, ['.ts', '.tsx']], [/\.mjs$/, ['.mts']], [/\.cjs$/, ['.cts']], [/\.jsx$/, ['.tsx']]]

/** Node's loader internals, or why they are out of reach. */
function internals(): Internals | string {
  try {
    const require = createRequire(import.meta.url)
    const hooks = require('internal/modules/esm/hooks')
    const internals: Internals = {
      loader: require('internal/modules/esm/loader').getOrInitializeCascadedLoader(),
      worker: hooks.HooksProxy ?? hooks.AsyncLoaderHookWorker,
      defaultResolve: require('internal/modules/esm/resolve').defaultResolve,
      defaultConditions: require('internal/modules/esm/utils').getDefaultConditions(),
      defaultLoad: require('internal/modules/esm/load').defaultLoad,
      defaultLoadSync: require('internal/modules/esm/load').defaultLoadSync,
      initializeImportMeta: require('internal/modules/esm/initialize_import_meta').initializeImportMeta,
    }
    if (typeof internals.worker?.prototype !== 'object') return `Node ${process.version}'s module loader has no HooksProxy or AsyncLoaderHookWorker to replace`
    return internals
  } catch (error) {
    return `Node ${process.version}'s module loader internals are out of reach (${error instanceof Error ? error.message : String(error)})`
  }
}

/** '' when a forked child of this process can load modules (no loader hooks, or the stand-in fits this Node), else why not. */
export function forkLoaderUnavailable(): string {
  if (preloads(process.execArgv).length === 0) return ''
  const found = internals()
  return typeof found === 'string' ? `under loader hooks (${preloads(process.execArgv).join(', ')}), ${found}` : ''
}

/** Installs the in-thread loader in this (forked) process; the server checked forkLoaderUnavailable() first. */
export function replaceLoaderThread(): void {
  const found = internals()
  if (typeof found === 'string') throw new Error(`a forkserver child cannot load modules: ${found}`)
  const { loader } = found
  const resolve = (specifier: string, parentURL: string | undefined, attributes: Attributes = {}): Resolved => {
    if (parentURL !== undefined && /^(\.{1,2}\/|\/|file:)/.test(specifier)) {
      const url = new URL(specifier, parentURL).href
      for (const candidate of [url, ...swapped(url)]) {
        if (loader.loadCache.has(candidate)) return { url: candidate, format: 'module', importAttributes: attributes }
      }
    }
    const result = found.defaultResolve(specifier, { __proto__: null, conditions: found.defaultConditions, parentURL, importAttributes: attributes })
    if (TS.test(new URL(result.url).pathname) && !loader.loadCache.has(result.url)) throw notLoaded(result.url)
    return result
  }
  const load = (url: string, context: object, sync: boolean) => {
    if (TS.test(new URL(url).pathname)) throw notLoaded(url)
    return sync ? found.defaultLoadSync(url, context) : found.defaultLoad(url, context)
  }
  const answer = (method: string, sync: boolean, args: unknown[]): unknown => {
    if (method === 'resolve') return resolve(...(args as [string, string | undefined, Attributes]))
    if (method === 'load') return load(args[0] as string, args[1] as object, sync)
    if (method === 'register') throw new Error('a forkserver child cannot register module loader hooks: register them in the parent (they are registered in the fork server once)')
    throw new Error(`a forkserver child cannot answer the loader's ${method} request`)
  }
  Object.assign(found.worker!.prototype, {
    makeAsyncRequest: async (method: string, _transfer: unknown, ...args: unknown[]) => answer(method, false, args),
    makeSyncRequest: (method: string, _transfer: unknown, ...args: unknown[]) => answer(method, true, args),
    importMetaInitialize: (meta: object, context: object, self: object) => found.initializeImportMeta(meta, context, self),
    waitForWorker: () => {},
  })
}

function swapped(url: string): string[] {
  for (const [ext, replacements] of SWAPS) if (ext.test(url)) return replacements.map((r) => url.replace(ext, r))
  return []
}

function notLoaded(url: string): Error {
  return new Error(`a forkserver child cannot load ${url}: under loader hooks (tsx) Node compiles modules on a loader thread, which a forked child does not have, and the fork server never loaded this one. Import it statically from the target's module (the server loads that module's imports before forking), or start this process with startMethod: 'spawn'`)
}
