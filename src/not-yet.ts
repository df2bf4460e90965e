/**
 * Names of the contract that later issues build (the Manager, pools and
 * executors). Until then each throws NotImplementedError when
 * used, so code written against the contract fails loudly, never silently.
 */
import { NotImplementedError } from './errors.js'

function placeholder(name: string) {
  return class {
    constructor(..._args: unknown[]) {
      throw new NotImplementedError(name)
    }
  }
}

/** Not implemented yet: throws NotImplementedError. @example new ProcessPoolExecutor() // throws */
export const ProcessPoolExecutor = placeholder('ProcessPoolExecutor')
/** Not implemented yet: throws NotImplementedError. @example new ThreadPoolExecutor() // throws */
export const ThreadPoolExecutor = placeholder('ThreadPoolExecutor')

