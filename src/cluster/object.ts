/**
 * What every cluster object shares: its connection, its name, and how it
 * crosses to a Process, Thread or pool task — as a descriptor naming the
 * Redis URL, namespace, type and name; the receiver connects with the same
 * URL (revive.ts) and builds the same object.
 */
import { kDescribe, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { kClusterObject } from './redis/codec.js'
import type { ClusterConnection } from './redis/connection.js'

/** The kinds of object a cluster connection makes. */
export type ClusterType = 'Lock' | 'RLock' | 'Semaphore' | 'BoundedSemaphore' | 'Event' | 'Queue' | 'JoinableQueue' | 'dict' | 'Pool'

/** The descriptor of a cluster object (what crosses a process boundary). */
export interface ClusterDescriptor extends HandleDescriptor {
  kind: 'skein.cluster'
  url: string
  namespace: string
  type: ClusterType
  name: string
  options: Record<string, unknown>
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
  }

  /** A Redis key of this object: `namespace:type:name[:part…]`. */
  protected key(...parts: string[]): string {
    return this.cluster.key(this.type, this.name, ...parts)
  }

  [kDescribe](): ClusterDescriptor {
    return { kind: 'skein.cluster', url: this.cluster.url, namespace: this.cluster.namespace, type: this.type, name: this.name, options: this.options }
  }
}
