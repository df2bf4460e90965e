/**
 * skein: Python's concurrency toolkit — multiprocessing, threading, queue,
 * concurrent.futures and gevent-style tasks — for TypeScript on Node.js.
 *
 * @example
 * import { Process, Lock, isMainProcess } from 'skein'
 * export function work(lock: Lock, n: number) { return lock.withLock(() => console.log('child', n)) }
 * if (isMainProcess()) {
 *   const lock = new Lock()
 *   const ps = [1, 2, 3].map((n) => new Process({ target: work, args: [lock, n] }))
 *   for (const p of ps) await p.start()
 *   for (const p of ps) await p.join()
 * }
 */
export * from './errors.js'
export * from './sync/index.js'
export * from './shared/index.js'
export * from './process/index.js'
export * from './thread/index.js'
export * from './task/index.js'
export * from './manager/index.js'
export * from './queue/index.js'
export * from './pool/index.js'
export * from './observe/index.js'
export * from './not-yet.js'
import './cluster/kind.js' // cluster objects received by any process revive (ioredis loads only then)
