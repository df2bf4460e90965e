/**
 * TypeScript task modules on a worker. The worker's local processes import
 * a task's module by its URL; plain Node (before type stripping) can't
 * import a `.ts` file. When a `.ts` module arrives and this worker's
 * processes can't load TypeScript yet — Node does not strip types itself
 * (`process.features.typescript`) and no tsx loader runs — the worker looks
 * for tsx where the project would have it (next to the module, under its
 * root) and, when found, starts that module's processes with
 * `--import tsx` (spawned: the fork server was started without it).
 * Otherwise the module's tasks fail saying exactly that.
 */
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { preloads } from '../../process/execargv.js'

const TYPESCRIPT = /\.[cm]?tsx?$/

/** Whether `url` names a TypeScript module. */
export function isTypeScript(url: string): boolean {
  try {
    return TYPESCRIPT.test(new URL(url).pathname)
  } catch {
    return false
  }
}

/** Whether this process's children import TypeScript already (Node strips types, or a tsx loader runs here). */
export function typeScriptLoads(): boolean {
  if ((process.features as { typescript?: unknown }).typescript) return true
  return preloads().some((spec) => /(^|[\\/])tsx([\\/]|$)/.test(spec))
}

/** tsx's loader (what `--import tsx` imports), found from the module's folder or the root; undefined when neither has it. */
export function findTsx(moduleUrl: string, root: string): string | undefined {
  for (const dir of [dirname(fileURLToPath(moduleUrl)), root]) {
    try {
      return pathToFileURL(createRequire(`${dir}/`).resolve('tsx')).href
    } catch {
      // not installed there
    }
  }
  return undefined
}

let loader: string | undefined

/**
 * Makes every process started from now on import `tsx` first (the loaders
 * of `process.execArgv` carry over to children: process/execargv.ts).
 */
export function useTsx(tsx: string): void {
  if (loader !== undefined) return
  loader = tsx
  process.execArgv.push('--import', tsx)
}

/** The error of a TypeScript task module this worker can't load. */
export function cannotLoadTypeScript(workerId: string, url: string, root: string): Error {
  return new Error(`cluster worker ${workerId} can't load the TypeScript task module ${url}: the file is there, but this worker runs Node ${process.version} without a TypeScript loader, and tsx is not installed next to the module nor under the worker's root (${root}). ` +
    'Install tsx in the project (npm install tsx), run the worker under it (node --import tsx $(npx which skein) worker …), run it on a Node that strips types itself (22.18+, 23.6+), or compile the task modules to JavaScript')
}
