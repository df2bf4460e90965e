/**
 * `withTimeout` cancelling slow work: the work receives an AbortSignal that
 * aborts, with skein's TimeoutError, when the time is up — and stops.
 *
 * Run alone: npx tsx examples/timeout.ts
 */
import { TimeoutError, sleep, spawn, withTimeout } from 'skein'
import { isEntry } from './entry.js'

/** Pretends to download `chunks` chunks, 20 ms each, checking its signal. */
async function download(signal: AbortSignal, chunks: number): Promise<string> {
  let got = 0
  try {
    for (; got < chunks; got++) await sleep(20, { signal })
    return `${got} chunks`
  } finally {
    if (signal.aborted) console.log(`  download saw its signal abort after ${got} chunks (${(signal.reason as Error).name}); cleaning up`)
  }
}

/** Runs a fast and a slow download under a 100 ms timeout. */
export async function main(): Promise<void> {
  console.log('fast download, 100 ms allowed:')
  console.log(' ', await withTimeout(100, (signal) => download(signal, 2)))

  console.log('slow download, 100 ms allowed:')
  let work: Promise<string> | undefined
  try {
    await withTimeout(100, (signal) => (work = download(signal, 50)))
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e
    console.log(`  caught ${e.name} (${e.code}): ${e.message}`)
  }
  await work?.catch(() => {}) // the work stops right after its signal aborts

  console.log('a task under a timeout is killed with the TimeoutError:')
  const task = spawn(download, 50)
  await withTimeout(50, task).catch(() => {})
  await task.kill() // already killed: waits for the function to return
  console.log(`  task.ready() = ${task.ready()}, task.exception is TimeoutError: ${task.exception instanceof TimeoutError}`)
}

if (isEntry(import.meta.url)) await main()
