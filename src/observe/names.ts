/**
 * Names of objects: the `name` option every skein object takes, and the
 * default for unnamed ones, `Kind@file:line` of the code that created it.
 *
 * How it works. The creation site comes from V8's structured stack trace:
 * `Error.captureStackTrace` on a plain object with a small frame limit, read
 * at once through a temporary `Error.prepareStackTrace` that returns the
 * first frame outside skein's own files, as `file:line` (no string formatting
 * of the whole stack, and the frames are not kept, so no object is held
 * alive by them). Under a loader with source maps (tsx), the line is mapped
 * back to the TypeScript source when Node knows the map.
 *
 * Capturing a stack costs about as much as creating a Lock, so a thread
 * records at most SITES_PER_SECOND creation sites a second: a program that
 * makes its objects at start-up or now and then gets every site, while a
 * loop creating objects by the million pays almost nothing; objects made
 * past the budget are named `Kind@?` (give them a `name` if they matter).
 */
import { findSourceMap } from 'node:module'
import { dirname, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PerSecond } from './budget.js'

/** Longest name accepted. */
export const NAME_MAX = 200

/** skein's own source root (src/ or dist/): frames there are not the creator's. */
const OWN_ROOT = dirname(dirname(fileURLToPath(import.meta.url))) + sep
const OWN_URL = new URL(`file://${OWN_ROOT}`).href
const CWD = process.cwd() + sep

/**
 * The name an object is known by: `name` checked, or `Kind@file:line` of
 * its creator. Throws TypeError for a name that is not a short printable string.
 *
 * @example
 * import { Lock } from 'skein'
 * new Lock({ name: 'orders' })   // shown as "orders" by skein top and in errors
 * new Lock()                     // shown as "Lock@app.ts:3"
 */
export function objectName(kind: string, name: unknown, where: string): string {
  if (name === undefined) return `${kind}@${siteAllowed() ? creationSite() : '?'}`
  checkName(name, where)
  return name
}

/** Creation sites recorded per thread per second at most (see the file's doc). */
export const SITES_PER_SECOND = 1000
const sites = new PerSecond(SITES_PER_SECOND)
const siteAllowed = (): boolean => sites.allowed()

/** Throws TypeError unless `name` is a non-empty printable string of at most NAME_MAX characters. */
export function checkName(name: unknown, where: string): asserts name is string {
  // eslint-disable-next-line no-control-regex
  if (typeof name !== 'string' || name.length === 0 || name.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name) : String(name)
    throw new TypeError(`${where}: name must be a non-empty string of at most ${NAME_MAX} printable characters (got ${shown}); omit it to be named after the line that created the object`)
  }
}

/** `file:line` of the first caller outside skein (the code that called into skein), or '?' if none. */
export function creationSite(): string {
  return capture(creationSite) ?? '?'
}

/** The same as {@link creationSite}, for the code that is waiting (shown beside a deadlock). */
export const callerLine = (): string => capture(callerLine) ?? '?'

type Frame = NodeJS.CallSite

function capture(skip: Function): string | undefined {
  const limit = Error.stackTraceLimit
  const prepare = Error.prepareStackTrace
  Error.stackTraceLimit = 8
  Error.prepareStackTrace = pick
  try {
    const holder: { stack?: unknown } = {}
    Error.captureStackTrace(holder, skip)
    return holder.stack as string | undefined
  } finally {
    Error.prepareStackTrace = prepare
    Error.stackTraceLimit = limit
  }
}

function pick(_error: Error, frames: Frame[]): string | undefined {
  for (const frame of frames) {
    const file = frame.getFileName()
    if (file === undefined || file === null || file.startsWith('node:') || file.startsWith(OWN_ROOT) || file.startsWith(OWN_URL)) continue
    return place(file, frame.getLineNumber() ?? 0, frame.getColumnNumber() ?? 0)
  }
  return undefined
}

const placed = new Map<string, string>()

/** `file:line` for a frame, the file relative to the working directory when under it, the line mapped through a known source map. */
function place(file: string, line: number, column: number): string {
  const key = `${file}:${line}:${column}`
  let text = placed.get(key)
  if (text !== undefined) return text
  let path = file.startsWith('file://') ? fileURLToPath(file) : file
  let mapped = line
  try {
    const entry = findSourceMap(file)?.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number } | undefined
    if (entry?.originalLine !== undefined && entry.originalSource !== undefined) {
      mapped = entry.originalLine + 1
      path = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource
    }
  } catch {
    // no map: the generated line
  }
  text = `${path.startsWith(CWD) ? relative(CWD, path) : path}:${mapped}`
  if (placed.size < 10_000) placed.set(key, text)
  return text
}

/** The options object every named skein object takes. */
export interface NameOptions {
  /** Shown by `skein top` and in errors; default `Kind@file:line` of the code that created the object. */
  name?: string
}

/** The name from an options argument (validated: an object or undefined, with an optional valid `name`). */
export function nameFrom(opts: unknown, kind: string, where: string): string {
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
    throw new TypeError(`${where}: options must be an object such as { name: 'orders' } (got ${opts === null ? 'null' : typeof opts})`)
  }
  return objectName(kind, (opts as NameOptions | undefined)?.name, where)
}

/** The name a received descriptor carries (another process wrote it: checked, else `Kind@?`). */
export function revivedName(d: Readonly<Record<string, unknown>>, kind: string): string {
  try {
    checkName(d.name, kind)
    return d.name
  } catch {
    return `${kind}@?`
  }
}
