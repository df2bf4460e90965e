/** Pools: Pool (processes), ThreadPool (threads), AsyncResult. */
export { Pool, type PoolOptions } from './pool.js'
export { ThreadPool, type ThreadPoolOptions } from './thread-pool.js'
export { AsyncResult } from './async-result.js'
export { PoolTerminatedError } from './core.js'
export type { ApplyOptions, MapOptions, MapAsyncOptions, BasePoolOptions, BasePool } from './base-pool.js'
export { ProcessPoolExecutor, ThreadPoolExecutor, type ExecutorOptions, type ShutdownOptions } from './executor.js'
export { Future, CancelledError } from './future.js'
export { asCompleted, wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, type ReturnWhen, type WaitOptions } from './wait.js'
