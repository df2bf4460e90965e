/**
 * Names of the contract that later issues build (queues, pipes, the Manager,
 * pools and executors). Until then each throws NotImplementedError when
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

/** Not implemented yet: throws NotImplementedError. @example new Queue() // throws */
export const Queue = placeholder('Queue')
/** Not implemented yet: throws NotImplementedError. @example new JoinableQueue() // throws */
export const JoinableQueue = placeholder('JoinableQueue')
/** Not implemented yet: throws NotImplementedError. @example new SimpleQueue() // throws */
export const SimpleQueue = placeholder('SimpleQueue')
/** Not implemented yet: throws NotImplementedError. @example new LifoQueue() // throws */
export const LifoQueue = placeholder('LifoQueue')
/** Not implemented yet: throws NotImplementedError. @example new PriorityQueue() // throws */
export const PriorityQueue = placeholder('PriorityQueue')
/** Not implemented yet: throws NotImplementedError. @example new Manager() // throws */
export const Manager = placeholder('Manager')
/** Not implemented yet: throws NotImplementedError. @example new Pool() // throws */
export const Pool = placeholder('Pool')
/** Not implemented yet: throws NotImplementedError. @example new ThreadPool() // throws */
export const ThreadPool = placeholder('ThreadPool')
/** Not implemented yet: throws NotImplementedError. @example new ProcessPoolExecutor() // throws */
export const ProcessPoolExecutor = placeholder('ProcessPoolExecutor')
/** Not implemented yet: throws NotImplementedError. @example new ThreadPoolExecutor() // throws */
export const ThreadPoolExecutor = placeholder('ThreadPoolExecutor')

/** Not implemented yet: throws NotImplementedError. @example Pipe() // throws */
export function Pipe(_duplex = true): never {
  throw new NotImplementedError('Pipe')
}
