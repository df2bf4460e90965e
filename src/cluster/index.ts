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
import './kind.js'
import './revive.js' // loaded up front here: a forked child (under tsx) can import only modules its server loaded
export { connect, type ConnectOptions } from './connect.js'
export { Cluster } from './cluster.js'
export { RedisUnreachableError } from './redis/redis-client.js'
export { ClusterLock, type ClusterLockOptions } from './sync/lock.js'
export { LockLostError } from './sync/lease.js'
export type { ClusterHold } from './sync/hold.js'
export { ClusterRLock } from './sync/rlock.js'
export { ClusterSemaphore, ClusterBoundedSemaphore, type ClusterSemaphoreOptions } from './sync/semaphore.js'
export { ClusterEvent, type ClusterEventWaitOptions } from './sync/event.js'
export { ClusterQueue } from './queue/queue.js'
export { ClusterJoinableQueue } from './queue/joinable-queue.js'
export { ClusterDict } from './dict.js'
export { ClusterPool, type ClusterPoolOptions } from './pool/pool.js'
export { runWorker, type WorkerOptions } from './pool/worker.js'
export type { ClusterType, ClusterDescriptor } from './object.js'
