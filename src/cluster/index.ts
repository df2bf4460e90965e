/**
 * `skein/cluster`: the same Lock, Queue, dict and Pool across machines, on
 * Redis. Importing it loads the Redis client; `skein` alone never does.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379', namespace: 'app' })
 * await cluster.Lock('orders').withLock(async () => { … })
 * await cluster.close()
 */
import './revive.js'
export { connect, type ConnectOptions } from './connect.js'
export { Cluster } from './cluster.js'
export { RedisUnreachableError } from './redis-client.js'
export { ClusterLock, type ClusterLockOptions } from './lock.js'
export { LockLostError } from './lease.js'
export type { ClusterHold } from './hold.js'
export { ClusterRLock } from './rlock.js'
export { ClusterSemaphore, ClusterBoundedSemaphore, type ClusterSemaphoreOptions } from './semaphore.js'
export { ClusterEvent, type ClusterEventWaitOptions } from './event.js'
export { ClusterQueue } from './queue.js'
export { ClusterJoinableQueue } from './joinable-queue.js'
export { ClusterDict } from './dict.js'
export { ClusterPool, type ClusterPoolOptions } from './pool.js'
export { runWorker, type WorkerOptions } from './worker.js'
export type { ClusterType, ClusterDescriptor } from './object.js'
