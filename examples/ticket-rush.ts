/**
 * Ticket rush: the classic multiprocessing mutex lesson. A JSON file holds
 * `{"ticket": 1}`; 10 processes each read it, wait ~100 ms (the network),
 * and buy if a ticket is left (write the count back, decremented).
 *
 * - Without a lock every buyer reads 1 before anyone writes 0: the one ticket
 *   is sold to everybody. A `Barrier` start gate makes all 10 read at the
 *   same moment, so the race happens on every run, not just sometimes.
 * - With a `Lock` passed to the children, the read–wait–write steps run one
 *   process at a time: exactly one sale.
 * - With a `FileLock` (flock(2) on a file), the same — and it needs no
 *   object passed down: any process opening the same path, even an
 *   unrelated one started from another shell, takes part.
 *
 * `main()` throws (the script exits non-zero) if a locked run sold != 1.
 *
 *   npx tsx examples/ticket-rush.ts
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Barrier, FileLock, Lock, Process, RawArray, getStartMethod, sleep } from 'skein'
import { isEntry } from './entry.js'
import { joinAll } from './join-all.js'

const BUYERS = 10
const NETWORK_DELAY_MS = 100
/** How long a buyer waits at the gate for the others (they start on a loaded machine too). */
const GATE_MS = 60_000

/** What stands in for the ticket database: a JSON file. */
interface TicketData { ticket: number }

function readTickets(file: string): TicketData {
  return JSON.parse(readFileSync(file, 'utf8')) as TicketData
}

/** Read, wait for the "network", buy if a ticket is left. */
async function buy(user: number, file: string, bought: RawArray<'B'>): Promise<void> {
  const data = readTickets(file)
  await sleep(NETWORK_DELAY_MS)
  if (data.ticket > 0) {
    data.ticket -= 1
    // Written aside then renamed: a late reader sees the old file or the new one, never a half-written
    // one (the race the lesson shows is read-wait-write, not a torn file).
    writeFileSync(`${file}.${user}`, JSON.stringify(data))
    renameSync(`${file}.${user}`, file)
    bought.set(user, 1)
  }
}

/**
 * Runs in each child process. `guard` is null (no lock), a `Lock` (the same
 * lock in every child), or a lock file path (each child opens its own
 * `FileLock` on it — the kernel does the rest).
 */
export async function buyer(user: number, file: string, gate: Barrier, guard: Lock | string | null, bought: RawArray<'B'>): Promise<void> {
  await gate.wait(GATE_MS) // everybody is here: go (a buyer that never came breaks the gate for all, at the bound)
  if (guard === null) return buy(user, file, bought)
  if (typeof guard !== 'string') return guard.withLock(() => buy(user, file, bought))
  const lock = new FileLock(guard)
  try {
    await lock.withLock(() => buy(user, file, bought))
  } finally {
    lock.close()
  }
}

/** One rush: a fresh file with one ticket, BUYERS processes; returns who bought. */
async function rush(dir: string, label: string, guard: Lock | string | null): Promise<number[]> {
  const file = join(dir, `${label}.json`)
  writeFileSync(file, JSON.stringify({ ticket: 1 }))
  const gate = new Barrier(BUYERS)
  const bought = new RawArray('B', BUYERS)
  const buyers = Array.from({ length: BUYERS }, (_, user) =>
    new Process({ target: buyer, args: [user, file, gate, guard, bought], name: `user${user}` }))
  const t = performance.now()
  await Promise.all(buyers.map((p) => p.start()))
  const started = performance.now() - t
  await joinAll(buyers, GATE_MS + 30_000, label)
  const who = [...bought.array.keys()].filter((i) => bought.array[i] === 1)
  const left = readTickets(file).ticket
  console.log(`${label.padEnd(9)} ${who.length} of ${BUYERS} bought the 1 ticket${who.length > 1 ? ` — OVERSOLD by ${who.length - 1}` : ''}` +
    ` (buyers: ${who.map((i) => `user${i}`).join(', ') || 'none'}; file now says ticket: ${left}; ${((performance.now() - t) / 1000).toFixed(2)} s;` +
    ` ${BUYERS} processes started in ${started.toFixed(0)} ms, ${Math.round(BUYERS / (started / 1000))}/s, '${getStartMethod()}')`)
  return who
}

/** Sold counts of the three runs. */
export interface TicketRushResult { noLock: number; lock: number; fileLock: number }

/** Runs the three rushes; throws if a locked one did not sell exactly one ticket. */
export async function main(): Promise<TicketRushResult> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-tickets-'))
  try {
    console.log(`${BUYERS} processes rush for {"ticket": 1} in ${dir} (read, ${NETWORK_DELAY_MS} ms network delay, write)`)
    const result: TicketRushResult = {
      noLock: (await rush(dir, 'no lock', null)).length,
      lock: (await rush(dir, 'Lock', new Lock())).length,
      fileLock: (await rush(dir, 'FileLock', join(dir, 'tickets.lock'))).length,
    }
    if (result.lock !== 1 || result.fileLock !== 1) {
      throw new Error(`a locked rush sold ${result.lock} (Lock) / ${result.fileLock} (FileLock) tickets; exactly 1 expected`)
    }
    console.log('with a lock, reading and writing the file is one step per buyer: exactly one sale')
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (isEntry(import.meta.url)) await main()
