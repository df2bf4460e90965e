/**
 * Queue basics, from the course notes: a `Queue(3)` filled with put and
 * putNowait (which throws on a full queue), emptied with get and getNowait
 * (which throws on an empty one), with full() and empty() along the way; then
 * IPC between two children: one puts a message, the other gets it.
 *
 *   npx tsx examples/queue-basics.ts
 */
import { Process, Queue, QueueFullError, QueueEmptyError } from 'skein'
import { isEntry } from './entry.js'

/** Child 1: puts a message in the queue. */
export async function test1(q: Queue<string>): Promise<void> {
  await q.put('数据hello')
  console.log('  process 1 put its data in the queue')
}

/** Child 2: gets the message from the queue (waiting for it if need be). */
export async function test2(q: Queue<string>, out: Queue<string>): Promise<void> {
  const data = await q.get()
  console.log(`  process 2 got ${data} from the queue`)
  await out.put(data)
}

export async function main(): Promise<{ got: number[]; passed: string }> {
  const q = new Queue<number>(3) // holds at most 3 items
  await q.put(1)
  await q.put(2)
  q.putNowait(3)
  console.log(`after 3 puts: full() = ${q.full()}, qsize() = ${q.qsize()}`)
  try {
    q.putNowait(4)
    throw new Error('putNowait on a full queue should have thrown')
  } catch (error) {
    if (!(error instanceof QueueFullError)) throw error
    console.log(`putNowait(4) on a full queue → QueueFullError (item ${String(error.item)} not enqueued)`)
  }
  const got = [await q.get(), await q.get(), q.getNowait()]
  console.log(`got ${got.join(', ')} (first in, first out); empty() = ${q.empty()}`)
  try {
    q.getNowait()
    throw new Error('getNowait on an empty queue should have thrown')
  } catch (error) {
    if (!(error instanceof QueueEmptyError)) throw error
    console.log('getNowait() on an empty queue → QueueEmptyError')
  }
  if (got.join() !== '1,2,3' || !q.empty()) throw new Error(`wrong order or leftovers: ${got}`)

  console.log('IPC between two children:')
  const shared = new Queue<string>()
  const out = new Queue<string>()
  const p1 = new Process({ target: test1, args: [shared] })
  const p2 = new Process({ target: test2, args: [shared, out] })
  await p2.start() // the reader first: it waits for the data
  await p1.start()
  console.log('  main: both started')
  await p1.join()
  await p2.join()
  const passed = await out.get({ timeout: 10_000 })
  console.log(`  main: process 2 received ${JSON.stringify(passed)} from process 1`)
  if (passed !== '数据hello' || p1.exitCode !== 0 || p2.exitCode !== 0) throw new Error('the message did not go from child 1 to child 2')
  return { got, passed }
}

if (isEntry(import.meta.url)) await main()
