/**
 * What every cluster object shares: its connection, its name, and how it
 * crosses to a Process, Thread or pool task — as a descriptor naming the
 * Redis URL, namespace, type and name; the receiver connects with the same
 * URL (revive.ts) and builds the same object.
 */
import { kDescribe, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { kClusterObject, type CLUSTER_TYPES } from './redis/codec.js'
import type { ClusterConnection } from './redis/connection.js'

/** The kinds of object a cluster connection makes. */
export type ClusterType = (typeof CLUSTER_TYPES)[number]

/** The descriptor of a cluster object (what crosses a process boundary). */
export interface ClusterDescriptor extends HandleDescriptor {
  kind: 'skein.cluster'
  url: string
  namespace: string
  type: ClusterType
  name: string
  options: Record<string, unknown>
}

/**
 * The fixed parts of each type's keys (`namespace:type:name:part`), besides
 * its main key `namespace:type:name`; a Queue's in-flight lists and a Pool's
 * per-worker and per-client keys are found at run time ({@link ClusterObject.ownKeys}).
 */
export const KEY_PARTS: Readonly<Record<ClusterType, readonly string[]>> = {
  Lock: ['fence', 'held', 'wake'],
  RLock: ['fence', 'held', 'wake'],
  Semaphore: ['value', 'wake'],
  BoundedSemaphore: ['value', 'wake'],
  Event: [],
  Queue: ['closed', 'unfinished', 'notfull', 'inflight'],
  JoinableQueue: ['closed', 'unfinished', 'notfull', 'inflight'],
  dict: ['version'],
  Pool: ['tasks', 'workers', 'dead'],
}

/** @internal Base of every cluster object. */
export abstract class ClusterObject implements Shareable {
  /** @internal Marks a cluster object for the codec (it crosses machines; local shared objects don't). */
  readonly [kClusterObject] = true

  constructor(
    /** The connection this object talks through. */
    readonly cluster: ClusterConnection,
    /** The object's name: the same name in the same namespace is the same object everywhere. */
    readonly name: string,
    private readonly type: ClusterType,
    private readonly options: Record<string, unknown> = {},
  ) {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError(`cluster.${type}(name): name must be a non-empty string (got ${String(name)}); the same name is the same object on every machine`)
    // Redis keys are UTF-8: a lone surrogate would become U+FFFD, and two distinct names one object.
    if (/\p{Cs}/u.test(name)) throw new TypeError(`cluster.${type}(name): name ${JSON.stringify(name)} holds a lone surrogate (not well-formed Unicode), which Redis can't keep apart from others; use a well-formed string`)
  }

  /** A Redis key of this object: `namespace:type:name[:part…]`. */
  protected key(...parts: string[]): string {
    return this.cluster.key(this.type, this.name, ...parts)
  }

  /**
   * Deletes the object from Redis — every key it has there — so the name
   * starts afresh for everyone: a closed Queue is open and empty again, a
   * dict empty, a held Lock free (its holder's release then rejects with
   * LockLostError), a Pool's queued tasks and dead letters gone. Call it
   * while nothing uses the object; this handle stays usable on the fresh one.
   *
   * @example
   * import { connect } from 'skein/cluster'
   * await using cluster = await connect({ url: 'redis://127.0.0.1:6379' })
   * await cluster.Queue('jobs').destroy()   // e.g. before a run, after a run that closed it
   */
  async destroy(): Promise<void> {
    const keys = await this.ownKeys()
    for (let i = 0; i < keys.length; i += 1000) await this.cluster.redis.unlink(...keys.slice(i, i + 1000))
  }

  /** @internal Every key this object may have in Redis. */
  protected async ownKeys(): Promise<string[]> {
    return [this.key(), ...KEY_PARTS[this.type].map((part) => this.key(part))]
  }

  [kDescribe](): ClusterDescriptor {
    return { kind: 'skein.cluster', url: this.cluster.url, namespace: this.cluster.namespace, type: this.type, name: this.name, options: this.options }
  }
}
