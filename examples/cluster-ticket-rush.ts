/**
 * The ticket rush across machines: one ticket kept in a cluster dict on
 * Redis, 8 "machines" — separate processes, each making its own connection
 * with `connect()`, as a process on another host would — each read it, wait
 * ~100 ms (the network), and buy if a ticket is left.
 *
 * - Without a lock every buyer reads 1 before anyone writes 0: oversold.
 * - Under a cluster `Lock` (the same name is the same lock on every machine)
 *   the read–wait–write runs one machine at a time: exactly one sale.
 *
 * A local `Barrier` fires the starting pistol, so all buyers reach the
 * ticket at the same moment on every run; real machines would race just as
 * well, only less reliably. A buyer that can't reach Redis aborts the gate,
 * so the others stop waiting for it (BrokenBarrierError) and the rush
 * reports who failed; the gate and the joins are bounded too. A private redis-server is started for the
 * example (examples/local-redis.ts); without one it prints a skip line.
 *
 *   npx tsx examples/cluster-ticket-rush.ts
 */
import { Barrier, Process, sleep } from 'skein'
import { connect, type Cluster } from 'skein/cluster'
import { isEntry } from './entry.js'
import { joinAll } from './join-all.js'
import { startLocalRedis } from './local-redis.js'

const MACHINES = 8
const NETWORK_DELAY_MS = 100
/** How long a buyer waits at the gate for the others (they start and connect on a loaded machine too). */
const GATE_MS = 60_000
/** How long a machine waits for Redis to answer: generous, as eight processes start at once on a possibly busy box. */
const CONNECT_MS = 20_000

/**
 * Runs on each "machine": connects, waits for the pistol, buys the ticket
 * if one is left — under the cluster lock `lockName`, or with no lock when null.
 */
export async function buyer(url: string, namespace: string, machine: string, gate: Barrier, lockName: string | null): Promise<void> {
  let cluster: Cluster
  try {
    cluster = await connect({ url, namespace, connectTimeout: CONNECT_MS })
  } catch (error) {
    gate.abort() // the others would wait at the gate for a buyer that never comes: they get BrokenBarrierError
    throw error
  }
  try {
    const tickets = cluster.dict<number>('tickets')
    const sales = cluster.dict<string>('sales')
    const buy = async () => {
      const left = (await tickets.get('left')) ?? 0
      await sleep(NETWORK_DELAY_MS)
      if (left > 0) {
        await tickets.set('left', left - 1)
        await sales.set(machine, `pid ${process.pid}`)
      }
    }
    await gate.wait(GATE_MS) // bounded too: a buyer that died before reaching it breaks the gate at the bound
    if (lockName === null) await buy()
    else await cluster.Lock(lockName).withLock(buy)
  } finally {
    await cluster.close()
  }
}

/** One rush in its own namespace: one ticket, MACHINES buyers; returns who bought. */
async function rush(url: string, label: string, lockName: string | null): Promise<string[]> {
  const namespace = `ticket-rush-${label.replace(/\W+/g, '-')}`
  const cluster = await connect({ url, namespace })
  try {
    await cluster.dict<number>('tickets').set('left', 1)
    const gate = new Barrier(MACHINES)
    const machines = Array.from({ length: MACHINES }, (_, i) =>
      new Process({ target: buyer, args: [url, namespace, `machine${i + 1}`, gate, lockName], name: `machine${i + 1}` }))
    for (const p of machines) await p.start()
    await joinAll(machines, GATE_MS + 60_000, label)
    const who = (await cluster.dict<string>('sales').keys()).sort()
    const left = await cluster.dict<number>('tickets').get('left')
    console.log(`${label.padEnd(12)} ${who.length} of ${MACHINES} machines bought the 1 ticket${who.length > 1 ? ` — OVERSOLD by ${who.length - 1}` : ''}` +
      ` (buyers: ${who.join(', ') || 'none'}; the dict now says left: ${left})`)
    return who
  } finally {
    await cluster.close()
  }
}

/** Sales of the two rushes, or why the example was skipped. */
export type ClusterTicketRushResult = { noLock: number; lock: number } | { skipped: string }

/** Runs both rushes on a private Redis; throws if the locked one did not sell exactly one ticket. */
export async function main(): Promise<ClusterTicketRushResult> {
  const redis = await startLocalRedis()
  if (redis === undefined) {
    console.log('skipped: redis-server is not installed (apt-get install redis-server)')
    return { skipped: 'redis-server is not installed' }
  }
  try {
    console.log(`${MACHINES} machines (processes, each with its own connection to ${redis.url}) rush for 1 ticket in a cluster dict`)
    const result = {
      noLock: (await rush(redis.url, 'no lock', null)).length,
      lock: (await rush(redis.url, 'cluster Lock', 'tickets')).length,
    }
    if (result.lock !== 1) throw new Error(`the rush under a cluster Lock sold ${result.lock} tickets; exactly 1 expected`)
    console.log('under the cluster Lock, read-wait-write is one step per machine: exactly one sale')
    return result
  } finally {
    await redis.stop()
  }
}

if (isEntry(import.meta.url)) await main()
