/**
 * Cluster Lock benchmark: one uncontended `await lock.acquire(); await
 * lock.release()` round trip of skein's cluster `Lock` against the popular
 * Redis locks, all on the same private redis-server (loopback) started here:
 * - `redlock` v4 (`lock(resource, ttl)` → `unlock()`, one server, no retries);
 * - `redis-semaphore`'s `Mutex` (`acquire()` → `release()`, which also starts
 *   and stops its refresh timer, as skein's lease renewal does).
 * Each client gets its own ioredis connection.
 *
 * A second pair of rows (information) times a hand-off: from a holder's
 * release to a waiter on another connection holding the lock.
 *
 * Method: one warm-up, then the median of ROUNDS short rounds, the three in
 * a rotating order; the figure is ns per acquire+release (two Redis round
 * trips each, so tens of µs on loopback).
 * Skipped with a line when redis-server is not installed.
 *
 * @example
 * // npx tsx bench/cluster-lock.ts
 * import { benchClusterLock } from './cluster-lock.ts'
 * console.table(await benchClusterLock())
 */
import { Redis } from 'ioredis'
import Redlock from 'redlock'
import { Mutex } from 'redis-semaphore'
import { connect, type ClusterLock } from '../src/cluster/index.js'
import { startLocalRedis } from '../examples/local-redis.ts'
import { isEntry, median, printRows } from './harness.ts'
import type { BenchRow } from './row.ts'

const N = 500
const ROUNDS = 21
const LEASE = 10_000
const HANDOFFS = 50

async function skeinLoop(lock: ClusterLock, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    await lock.acquire()
    await lock.release()
  }
  return ((performance.now() - t) * 1e6) / n
}

async function redlockLoop(redlock: Redlock, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    const held = await redlock.lock('bench:redlock', LEASE)
    await held.unlock()
  }
  return ((performance.now() - t) * 1e6) / n
}

async function mutexLoop(mutex: Mutex, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) {
    await mutex.acquire()
    await mutex.release()
  }
  return ((performance.now() - t) * 1e6) / n
}

/** The two sides of a hand-off: acquire and release, as each library spells them. */
interface Side {
  acquire(): Promise<unknown>
  release(): Promise<unknown>
}

/**
 * Median ns from the holder's release to the waiter's acquire resolving: the
 * waiter starts waiting while the lock is held, and gets it on the release.
 */
async function handoffs(holder: Side, waiter: Side, n: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    await holder.acquire()
    let acquiredAt = 0
    const waiting = waiter.acquire().then(() => { acquiredAt = performance.now() })
    await new Promise((resolve) => setTimeout(resolve, 5)) // the waiter is blocked (or polling) by now
    const releasedAt = performance.now()
    await holder.release()
    await waiting
    times.push((acquiredAt - releasedAt) * 1e6)
    await waiter.release()
  }
  return median(times)
}

/**
 * Runs the cluster lock benchmark; no rows when redis-server is missing.
 *
 * @example
 * import { benchClusterLock } from './cluster-lock.ts'
 * for (const row of await benchClusterLock()) console.log(row.name, row.skein / row.peer)
 */
export async function benchClusterLock(): Promise<BenchRow[]> {
  const server = await startLocalRedis()
  if (server === undefined) {
    console.log('cluster-lock: skipped — redis-server is not installed (apt-get install redis-server)')
    return []
  }
  const cluster = await connect({ url: server.url, namespace: 'bench' })
  const redlockClient = new Redis(server.url)
  const mutexClient = new Redis(server.url)
  try {
    const lock = cluster.Lock('bench', { lease: LEASE })
    const redlock = new Redlock([redlockClient], { retryCount: 0 })
    const mutex = new Mutex(mutexClient, 'bench:mutex', { lockTimeout: LEASE, refreshInterval: LEASE / 3 })
    await skeinLoop(lock, N / 10)
    await redlockLoop(redlock, N / 10)
    await mutexLoop(mutex, N / 10)
    const s: number[] = []
    const r: number[] = []
    const m: number[] = []
    // Short rounds, many, in a rotating order: load from other processes hits all three alike.
    const runs: Array<() => Promise<void>> = [
      async () => { s.push(await skeinLoop(lock, N)) },
      async () => { r.push(await redlockLoop(redlock, N)) },
      async () => { m.push(await mutexLoop(mutex, N)) },
    ]
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < runs.length; k++) await runs[(round + k) % runs.length]!()
    }
    const skein = median(s)

    // Hand-off: the peers' waiters retry on a timer (their defaults: redis-semaphore every 10 ms, redlock 200 ms ± 200 ms jitter); skein's block on the wake list.
    const other = await connect({ url: server.url, namespace: 'bench' })
    const waitingClient = new Redis(server.url)
    try {
      const skeinWaiter = other.Lock('handoff', { lease: LEASE })
      const skeinHolder = cluster.Lock('handoff', { lease: LEASE })
      const mutexHolder = new Mutex(mutexClient, 'bench:handoff', { lockTimeout: LEASE })
      const mutexWaiter = new Mutex(waitingClient, 'bench:handoff', { lockTimeout: LEASE })
      const redlockWaiter = new Redlock([waitingClient], { retryCount: -1 })
      let redlockHeld: Array<{ unlock(): Promise<void> }> = [] // [holder's, waiter's]
      const redlockSide = (slot: 0 | 1, r: Redlock): Side => ({
        acquire: async () => { redlockHeld[slot] = await r.lock('bench:redlock-handoff', LEASE) },
        release: () => redlockHeld[slot]!.unlock(),
      })
      const skeinHandoff = await handoffs(skeinHolder, skeinWaiter, HANDOFFS)
      const mutexHandoff = await handoffs(mutexHolder, mutexWaiter, HANDOFFS)
      const redlockHandoff = await handoffs(redlockSide(0, redlock), redlockSide(1, redlockWaiter), HANDOFFS / 5)
      redlockHeld = []
      return [
        { name: 'cluster Lock acquire+release, uncontended (Redis, loopback)', skein, peer: median(r), peerName: 'redlock v4, 1 server', unit: 'ns/op', goal: '<= 1x', limit: 1 },
        { name: 'cluster Lock acquire+release, uncontended (Redis, loopback)', skein, peer: median(m), peerName: 'redis-semaphore Mutex', unit: 'ns/op', goal: '<= 1x', limit: 1 },
        { name: 'cluster Lock hand-off: release → a waiter on another connection has it', skein: skeinHandoff, peer: mutexHandoff, peerName: 'redis-semaphore Mutex (polls every 10 ms)', unit: 'ns/op', goal: 'information' },
        { name: 'cluster Lock hand-off: release → a waiter on another connection has it', skein: skeinHandoff, peer: redlockHandoff, peerName: 'redlock v4 (retries every 200 ms ± 200)', unit: 'ns/op', goal: 'information' },
      ]
    } finally {
      await other.close()
      waitingClient.disconnect()
    }
  } finally {
    await cluster.close()
    redlockClient.disconnect()
    mutexClient.disconnect()
    await server.stop()
  }
}

if (isEntry(import.meta.url)) printRows(await benchClusterLock())
