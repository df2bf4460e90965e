/**
 * The receiving side of a cluster object handed to a Process, Thread or pool
 * task: one connection per (URL, namespace) in this process or thread, made
 * on first use and shared by every object received. Loaded on demand by
 * kind.ts when a descriptor arrives.
 */
import type { HandleDescriptor } from '../shm/handle.js'
import { connect } from './connect.js'
import type { Cluster } from './cluster.js'
import type { ClusterDescriptor, ClusterObject } from './object.js'

const connections = new Map<string, Promise<Cluster>>()

/** The shared connection of this process or thread to `url` + `namespace`. */
export function sharedConnection(url: string, namespace: string): Promise<Cluster> {
  const key = `${namespace}@${url}`
  let cluster = connections.get(key)
  if (cluster === undefined) {
    cluster = connect({ url, namespace })
    connections.set(key, cluster)
    cluster.catch(() => connections.delete(key))
  }
  return cluster
}

/** The object a cluster descriptor names, on this process's shared connection (kind.ts registers it). */
export async function reviveCluster(d: HandleDescriptor): Promise<ClusterObject> {
  const { url, namespace, type, name, options } = d as ClusterDescriptor
  return (await sharedConnection(url, namespace)).make(type, name, options)
}
