/** Pools: Pool (processes), ThreadPool (threads), AsyncResult. */
export { Pool, type PoolOptions } from './pool.js'
export { ThreadPool, type ThreadPoolOptions } from './thread-pool.js'
export { AsyncResult } from './async-result.js'
export { PoolTerminatedError } from './core.js'
export type { ApplyOptions, MapOptions, MapAsyncOptions, BasePoolOptions, BasePool } from './base-pool.js'
