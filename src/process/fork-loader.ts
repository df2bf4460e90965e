/**
 * Module loading in a fork server child under loader hooks (tsx, --loader).
 *
 * Node 20 runs `module.register` hooks on a loader thread; a forked child has
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
 */
import { createRequire } from 'node:module'

type Resolved = { url: string; format?: string | null; importAttributes?: Record<string, string> }
type Internals = {
  loader: {
    loadCache: Map<string, unknown>
    defaultResolve(specifier: string, parentURL: string | undefined, attributes: Record<string, string>): Resolved
    setCustomizations(customizations: object | null): void
  }
  defaultLoad(url: string, context: object): Promise<unknown>
  initializeImportMeta(meta: object, context: object, loader: object): object
}

const TS = /\.(ts|tsx|mts|cts)$/
const SWAPS: Array<[RegExp, string[]]> = [[/\.js$/, ['.ts', '.tsx']], [/\.mjs$/, ['.mts']], [/\.cjs$/, ['.cts']], [/\.jsx$/, ['.tsx']]]

/** Installs the in-thread loader in this (forked) process; false if Node's internals are out of reach. */
export function replaceLoaderThread(): boolean {
  let internals: Internals
  try {
    const require = createRequire(import.meta.url)
    internals = {
      loader: require('internal/modules/esm/loader').getOrInitializeCascadedLoader(),
      defaultLoad: require('internal/modules/esm/load').defaultLoad,
      initializeImportMeta: require('internal/modules/esm/initialize_import_meta').initializeImportMeta,
    }
  } catch {
    return false
  }
  const { loader } = internals
  const resolve = (specifier: string, parentURL: string | undefined, attributes: Record<string, string> = {}): Resolved => {
    if (parentURL !== undefined && /^(\.{1,2}\/|\/|file:)/.test(specifier)) {
      const url = new URL(specifier, parentURL).href
      for (const candidate of [url, ...swapped(url)]) {
        if (loader.loadCache.has(candidate)) return { url: candidate, format: 'module', importAttributes: attributes }
      }
    }
    const result = loader.defaultResolve(specifier, parentURL, attributes)
    if (TS.test(new URL(result.url).pathname) && !loader.loadCache.has(result.url)) throw notLoaded(result.url)
    return result
  }
  loader.setCustomizations({
    allowImportMetaResolve: true,
    resolve: async (specifier: string, parentURL: string | undefined, attributes: Record<string, string>) => resolve(specifier, parentURL, attributes),
    resolveSync: resolve,
    load: async (url: string, context: object) => {
      if (TS.test(new URL(url).pathname)) throw notLoaded(url)
      return internals.defaultLoad(url, context)
    },
    loadSync: (url: string) => { throw notLoaded(url) },
    importMetaInitialize: (meta: object, context: object, self: object) => internals.initializeImportMeta(meta, context, self),
    register: () => { throw new Error('a forkserver child cannot register module loader hooks: register them in the parent (they are registered in the fork server once)') },
    forceLoadHooks: () => {},
  })
  return true
}

function swapped(url: string): string[] {
  for (const [ext, replacements] of SWAPS) if (ext.test(url)) return replacements.map((r) => url.replace(ext, r))
  return []
}

function notLoaded(url: string): Error {
  return new Error(`a forkserver child cannot load ${url}: under loader hooks (tsx) Node 20 compiles modules on a loader thread, which a forked child does not have, and the fork server never loaded this one. Import it statically from the target's module (the server loads that module's imports before forking), or start this process with startMethod: 'spawn'`)
}
