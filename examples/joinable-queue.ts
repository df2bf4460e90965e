/**
 * JoinableQueue, from the course notes: three producer processes, one daemon
 * consumer that marks every item done; the main process joins the producers,
 * then `q.join()` returns once every item was processed — and the daemon
 * consumer is ended with the main process.
 *
 *   npx tsx examples/joinable-queue.ts
 */
import { JoinableQueue, Process, Value } from 'skein'
import { isEntry } from './entry.js'

/** Makes 10 of `food` at random intervals. */
export async function producer(name: string, food: string, q: JoinableQueue<string>): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await q.put(food)
    await new Promise((r) => setTimeout(r, Math.random() * 30))
  }
  console.log(`  ${name} made 10 ${food}`)
}

/** Eats forever, marking each item done. */
export async function consumer(name: string, q: JoinableQueue<string>, eaten: Value<'i'>): Promise<void> {
  for (;;) {
    await q.get()
    await eaten.withLock(() => { eaten.value += 1 })
    q.taskDone()
  }
}

export async function main(): Promise<{ processed: number; consumerAliveAtJoin: boolean }> {
  const q = new JoinableQueue<string>()
  const eaten = new Value('i', 0)
  const producers = [['chef jason', 'masala'], ['a san', 'flying cake'], ['arab', 'durian']].map(([name, food]) => new Process({ target: producer, args: [name, food, q] }))
  const c1 = new Process({ target: consumer, args: ['a fei', q, eaten], daemon: true })
  for (const p of producers) await p.start()
  await c1.start()
  for (const p of producers) await p.join()
  await q.join() // every item put has been marked done
  const consumerAliveAtJoin = c1.isAlive()
  console.log(`main: q.join() returned with ${eaten.value} items processed; the daemon consumer is still alive: ${c1.isAlive()}`)
  if (eaten.value !== 30) throw new Error(`expected 30 items processed, got ${eaten.value}`)
  c1.terminate() // a script would just end here: daemon children are ended with it
  await c1.join()
  return { processed: eaten.value, consumerAliveAtJoin }
}

if (isEntry(import.meta.url)) await main()
