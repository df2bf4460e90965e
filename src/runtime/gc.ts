/**
 * V8's `gc` function, for the two places that collect on purpose: the
 * shared-memory sweep (a full collection, so handles nobody holds free
 * their segments) and the fork server (two scavenges before its first fork).
 *
 * How: the global `gc` if the program runs with `--expose-gc`; otherwise
 * one from a throwaway context created with `--expose-gc` switched on for
 * that moment only, so no `gc` global appears in the program (or in a
 * forked child). `null` where V8 gives none.
 *
 * @example
 * import { exposedGc } from './gc.js'
 * exposedGc()?.({ type: 'minor' }) // one scavenge, if V8 allows it
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** V8's `gc`: a full collection by default, a scavenge with `{ type: 'minor' }`. */
export type GcFunction = (options?: { type?: 'major' | 'minor' }) => void

export function exposedGc(): GcFunction | null {
  const global = (globalThis as { gc?: unknown }).gc
  if (typeof global === 'function') return global as GcFunction
  try {
    setFlagsFromString('--expose-gc')
    const fn: unknown = runInNewContext('typeof gc === "function" ? gc : undefined')
    return typeof fn === 'function' ? (fn as GcFunction) : null
  } catch {
    return null
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}
