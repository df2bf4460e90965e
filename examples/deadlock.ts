/**
 * A deliberate deadlock, named as it happens, then broken by a timeout.
 *
 * The main process holds Lock "accounts" and wants "ledger"; a child
 * process holds "ledger" and wants "accounts". Neither can move. Within a
 * few hundred milliseconds the wait that closed the cycle prints it on
 * stderr (the default policy, 'warn'), and anyone can see it from outside
 * with `skein top` — here the main process reads the same snapshot itself.
 * The main process's acquire has a timeout: when it gives up, it releases
 * "accounts", the child gets it, and both finish.
 *
 * Run alone: npx tsx examples/deadlock.ts   (and `npx skein top` in another terminal)
 */
import { Event, Lock, Process, snapshot } from 'skein'
import { isEntry } from './entry.js'

/** The child: holds `ledger`, then blocks until it gets `accounts`. */
export async function bookkeeper(ledger: Lock, accounts: Lock, holding: Event, go: Event): Promise<void> {
  ledger.acquireSync()
  holding.set()
  await go.wait()
  accounts.acquireSync() // blocks: the main process holds it
  console.log('  bookkeeper: got "accounts" at last; done')
  accounts.release()
  ledger.release()
}

/** What the example saw: the cycle's members and locks, and how it ended. */
export interface DeadlockReport {
  /** "thread waits for lock" for each member of the cycle, sorted. */
  cycle: string[]
  /** The main process's acquire of "ledger" gave up at its timeout. */
  timedOut: boolean
  childExit: number | null
}

export async function main(): Promise<DeadlockReport> {
  const accounts = new Lock({ name: 'accounts' })
  const ledger = new Lock({ name: 'ledger' })
  const holding = new Event()
  const go = new Event()
  const child = new Process({ target: bookkeeper, args: [ledger, accounts, holding, go], name: 'Bookkeeper' })
  await child.start()
  await accounts.acquire()
  await holding.wait()
  go.set()

  console.log('main: holding "accounts", asking for "ledger" (gives up after 3 s)')
  const wanted = ledger.acquire({ timeout: 3000 })

  // What `skein top --once --json` would print: wait until the cycle shows.
  let cycle: string[] = []
  for (let tries = 0; tries < 100 && cycle.length === 0; tries++) {
    await new Promise((r) => setTimeout(r, 100))
    const found = snapshot({ pid: process.pid }).deadlocks[0]
    if (found === undefined) continue
    cycle = found.cycle.map((m) => `${m.name} waits for ${m.waitsFor.name}`).sort()
    console.log('snapshot(): deadlock found:')
    for (const m of found.cycle) {
      console.log(`  pid ${m.pid} "${m.name}" holds ${m.holds.map((h) => `${h.kind} "${h.name}"`).join(', ')}, waits for ${m.waitsFor.kind} "${m.waitsFor.name}" (${m.waitsFor.form} ${m.waitsFor.op})`)
    }
  }

  const got = await wanted
  console.log(`main: acquire of "ledger" ${got ? 'succeeded' : 'timed out'}; releasing "accounts", which breaks the cycle`)
  accounts.release()
  await child.join()
  if (got) ledger.release()
  return { cycle, timedOut: !got, childExit: child.exitCode }
}

if (isEntry(import.meta.url)) await main()
