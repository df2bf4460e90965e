/**
 * Names of the contract that later issues build (the Manager, pools and
 * executors). Until then each throws NotImplementedError when
 * used, so code written against the contract fails loudly, never silently.
 */
import { NotImplementedError } from './errors.js'

/** A class that throws NotImplementedError when constructed, for names of the contract not built yet (none today). @example const Later = placeholder('Later') // new Later() throws */
export function placeholder(name: string) {
  return class {
    constructor(..._args: unknown[]) {
      throw new NotImplementedError(name)
    }
  }
}


