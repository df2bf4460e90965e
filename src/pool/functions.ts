/**
 * The pool's task functions: each located once (module URL + export name,
 * `describeFunction`) and numbered; a worker learns a number's `[url, name]`
 * with the first batch that uses it (dispatch.ts). Also the task modules
 * workers must start with, for backends that preload them (backend.ts).
 */
import { describeFunction, type FunctionRef } from '../runtime/locate.js'
import type { PoolBackend } from './backend.js'

/**
 * Numbered task functions of one pool.
 *
 * @example
 * // const table = new FunctionTable(backend, () => {})
 * // const index = await table.locate(square)   // then table.refs[index] is { url, name }
 */
export class FunctionTable {
  /** Located functions by number. */
  readonly refs: FunctionRef[] = []
  /** Task modules a worker must be started with (grows; workers started with fewer are replaced). */
  readonly modules: string[] = []
  readonly #index = new Map<Function, number | Promise<number>>()
  readonly #backend: PoolBackend
  readonly #onLocated: () => void

  /** `onLocated` is told each time a function is located. */
  constructor(backend: PoolBackend, onLocated: () => void) {
    this.#backend = backend
    this.#onLocated = onLocated
  }

  /** The function's number if it is located, else a promise of it (rejects if it cannot be located). */
  lookup(fn: Function): number | Promise<number> {
    return this.#index.get(fn) ?? this.#locate(fn)
  }

  /** Notes a module workers need (the initializer's, a task's) if the backend must preload it. */
  need(url: string): void {
    if (!this.modules.includes(url) && this.#backend.needsPreload(url)) this.modules.push(url)
  }

  #locate(fn: Function): Promise<number> {
    const located = describeFunction(fn).then((ref) => {
      const index = this.refs.push(ref) - 1
      this.#index.set(fn, index)
      // Workers started without this module could not load it: new ones replace them (dispatch stops the stale).
      this.need(ref.url)
      this.#onLocated()
      return index
    }, (error: unknown) => {
      this.#index.delete(fn)
      throw error
    })
    this.#index.set(fn, located)
    return located
  }
}
