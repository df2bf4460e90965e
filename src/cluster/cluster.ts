/**
 * A connection to a skein cluster: a Redis URL and a namespace. It makes the
 * named objects (Lock, Queue, dict, Pool…) and owns the Redis connections
 * they share: one for commands, one for pub/sub, and one per blocking wait
 * in flight.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Redis } from 'ioredis'
import { BlockingPool } from './redis/blocking-pool.js'
import { Subscriber } from './redis/subscriber.js'
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
export class Cluster {
  /** Unique per connection: names this client's in-flight lists and lock tokens. */
  readonly clientId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  /** @internal Connections for blocking commands. */
  readonly blocking: BlockingPool
  /** @internal The shared pub/sub connection. */
  readonly subscriber: Subscriber
  private closed = false

  /** @internal Use {@link connect}. */
  constructor(
    /** The Redis URL this connection was made with (receivers of its objects connect to it too). */
    readonly url: string,
    /** Prefix of every key; objects of other namespaces never meet. */
    readonly namespace: string,
    /** @internal The command connection (pipelined, shared). */
    readonly redis: Redis,
    /** @internal Milliseconds to wait for further connections. */
    readonly connectTimeout: number,
  ) {
    this.blocking = new BlockingPool(url, connectTimeout, this.clientId)
    this.subscriber = new Subscriber(url, connectTimeout, this.clientId)
  }

  /** @internal `namespace:type:name[:part…]`. */
  key(type: string, name: string, ...parts: string[]): string {
    return [this.namespace, type, name, ...parts].join(':')
  }

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

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.closed
  }

  /** Closes every connection of this cluster connection; objects made from it fail afterwards. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.blocking.close()
    this.subscriber.close()
    await this.redis.quit().catch(() => this.redis.disconnect())
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
