/**
 * Cluster Lock benchmark: one uncontended `await lock.acquire(); await
 * lock.release()` round trip of skein's cluster `Lock` against the popular
 * Redis locks, all on the same private redis-server (loopback) started here:
 * - `redlock` v4 (`lock(resource, ttl)` → `unlock()`, one server, no retries);
 * - `redis-semaphore`'s `Mutex` (`acquire()` → `release()`, which also starts
 *   and stops its refresh timer, as skein's lease renewal does).
 * Each client gets its own ioredis connection.
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
    return [
      { name: 'cluster Lock acquire+release, uncontended (Redis, loopback)', skein, peer: median(r), peerName: 'redlock v4, 1 server', unit: 'ns/op', goal: '<= 1x', limit: 1 },
      { name: 'cluster Lock acquire+release, uncontended (Redis, loopback)', skein, peer: median(m), peerName: 'redis-semaphore Mutex', unit: 'ns/op', goal: '<= 1x', limit: 1 },
    ]
  } finally {
    await cluster.close()
    redlockClient.disconnect()
    mutexClient.disconnect()
    await server.stop()
  }
}

if (isEntry(import.meta.url)) printRows(await benchClusterLock())
