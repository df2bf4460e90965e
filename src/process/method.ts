/**
 * Start methods, as Python's: how a `Process` child comes to life.
 *
 * - `'forkserver'`: a warm fork server (started once, on first use) forks
 *   each child natively; a child starts in a few ms. See forkserver.ts.
 * - `'spawn'`: a cold `node` per child (with one warm spare), ~100 ms.
 *
 * The default is `'forkserver'` where this Node can fork natively (see
 * forkserver.ts for what it needs), else `'spawn'`; the environment variable
 * `SKEIN_START_METHOD` overrides it (and is inherited by children, so a whole
 * tree of processes uses one method).
 */
import { StateError } from '../errors.js'

/** How a Process child starts. */
export type StartMethod = 'forkserver' | 'spawn'

const METHODS: readonly StartMethod[] = ['forkserver', 'spawn']
let chosen: StartMethod | undefined

/** Throws a TypeError unless `value` names a start method. */
export function checkStartMethod(value: unknown, what: string): StartMethod {
  if (!METHODS.includes(value as StartMethod)) {
    throw new TypeError(`${what} must be one of ${METHODS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(value)}`)
  }
  return value as StartMethod
}

function fromEnvironment(): StartMethod | undefined {
  const value = process.env.SKEIN_START_METHOD
  return value === undefined || value === '' ? undefined : checkStartMethod(value, 'the SKEIN_START_METHOD environment variable')
}

/**
 * Chooses how Process children start from now on. As Python's, it may be
 * called once; pass `{ force: true }` to change it again. Choosing
 * `'forkserver'` starts the fork server at once, so the first child starts
 * quickly too.
 *
 * @example
 * import { setStartMethod, getStartMethod } from 'skein'
 * setStartMethod('spawn')
 * console.log(getStartMethod()) // 'spawn'
 */
export function setStartMethod(method: StartMethod, options: { force?: boolean } = {}): void {
  checkStartMethod(method, 'setStartMethod(method): method')
  if (chosen !== undefined && !options.force) {
    throw new StateError(`the start method is already set (to '${chosen}'): setStartMethod() may be called once, as in Python — pass { force: true } to change it`)
  }
  chosen = method
  for (const listener of listeners) listener(method)
}

/**
 * The start method Process children use unless their `startMethod` option
 * says otherwise.
 *
 * @example
 * import { getStartMethod } from 'skein'
 * console.log(getStartMethod()) // 'forkserver' (or 'spawn')
 */
export function getStartMethod(): StartMethod {
  return chosen ?? fromEnvironment() ?? DEFAULT_METHOD
}

/** The default when neither setStartMethod() nor SKEIN_START_METHOD chose. */
export const DEFAULT_METHOD: StartMethod = 'forkserver'

const listeners: Array<(method: StartMethod) => void> = []

/** Internal: called on each setStartMethod() (the fork server warms up on it). */
export function onStartMethodSet(listener: (method: StartMethod) => void): void {
  listeners.push(listener)
}
