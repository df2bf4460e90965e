/**
 * The `Cluster` façade: a connection (redis/connection.ts) plus the
 * factories of the named objects (Lock, Queue, dict, Pool…). The objects
 * depend only on the connection below them; this file sits above them all.
 */
import { ClusterConnection } from './redis/connection.js'
import { ClusterLock, type ClusterLockOptions } from './sync/lock.js'
import { ClusterRLock } from './sync/rlock.js'
import { ClusterSemaphore, ClusterBoundedSemaphore, type ClusterSemaphoreOptions } from './sync/semaphore.js'
import { ClusterEvent } from './sync/event.js'
import { ClusterQueue } from './queue/queue.js'
import { ClusterJoinableQueue } from './queue/joinable-queue.js'
import { ClusterDict } from './dict.js'
import { ClusterPool, type ClusterPoolOptions } from './pool/pool.js'
import type { ClusterObject, ClusterType } from './object.js'

/**
 * @example
 * import { connect } from 'skein/cluster'
 * const cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const lock = cluster.Lock('orders')
 * await lock.withLock(() => console.log('mine, on every machine'))
 * await cluster.close()
 */
export class Cluster extends ClusterConnection {
  /** A mutual-exclusion lock held through a lease renewed while held; see {@link ClusterLock}. */
  Lock(name: string, options: ClusterLockOptions = {}): ClusterLock {
    return new ClusterLock(this, name, options)
  }

  /** A reentrant lock: acquired again by the same holder without blocking. */
  RLock(name: string, options: ClusterLockOptions = {}): ClusterRLock {
    return new ClusterRLock(this, name, options)
  }

  /** A counting semaphore starting at `value` (the first user of the name sets it). */
  Semaphore(name: string, value = 1, options: ClusterSemaphoreOptions = {}): ClusterSemaphore {
    return new ClusterSemaphore(this, name, value, options)
  }

  /** A semaphore whose `release` past its initial value throws. */
  BoundedSemaphore(name: string, value = 1, options: ClusterSemaphoreOptions = {}): ClusterBoundedSemaphore {
    return new ClusterBoundedSemaphore(this, name, value, options)
  }

  /** A flag that waiters block on until it is set. */
  Event(name: string): ClusterEvent {
    return new ClusterEvent(this, name)
  }

  /** A FIFO queue; `maxsize` 0 is unbounded. */
  Queue<T = unknown>(name: string, maxsize = 0): ClusterQueue<T> {
    return new ClusterQueue<T>(this, name, maxsize)
  }

  /** A queue with `taskDone` / `join` across machines. */
  JoinableQueue<T = unknown>(name: string, maxsize = 0): ClusterJoinableQueue<T> {
    return new ClusterJoinableQueue<T>(this, name, maxsize)
  }

  /** A shared dictionary with an atomic `update(key, fn)`. */
  dict<V = unknown>(name: string): ClusterDict<V> {
    return new ClusterDict<V>(this, name)
  }

  /** A pool whose tasks run on workers started with `runWorker` on any machine. */
  Pool(options: ClusterPoolOptions): ClusterPool {
    return new ClusterPool(this, options)
  }

  /** @internal Builds an object from its type, name and options (revive.ts). */
  make(type: ClusterType, name: string, options: Record<string, unknown>): ClusterObject {
    switch (type) {
      case 'Lock': return this.Lock(name, options)
      case 'RLock': return this.RLock(name, options)
      case 'Semaphore': return this.Semaphore(name, Number(options.value ?? 1), options)
      case 'BoundedSemaphore': return this.BoundedSemaphore(name, Number(options.value ?? 1), options)
      case 'Event': return this.Event(name)
      case 'Queue': return this.Queue(name, Number(options.maxsize ?? 0))
      case 'JoinableQueue': return this.JoinableQueue(name, Number(options.maxsize ?? 0))
      case 'dict': return this.dict(name)
      case 'Pool': return this.Pool({ ...options, name } as ClusterPoolOptions)
    }
  }
}
