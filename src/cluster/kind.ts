/**
 * The cluster kind in shm's handle registry, registered as every shared
 * kind registers itself: a descriptor of a cluster object (object.ts)
 * becomes a connected object again. The reviver (revive.ts, and with it the
 * Redis client) loads only when such a descriptor arrives, so the package
 * root can import this file without loading ioredis.
 */
import { registerPlainKind } from '../shm/handle.js'

registerPlainKind('skein.cluster', async (d) => (await import('./revive.js')).reviveCluster(d))
