/**
 * Producer/consumer, from the course notes: two producer processes make 9
 * items each, two daemon consumer processes eat them, and a sentinel (null)
 * per consumer tells it to stop. The queue balances producers and consumers.
 *
 *   npx tsx examples/producer-consumer.ts
 */
import { Process, Queue, Value } from 'skein'
import { isEntry } from './entry.js'

type Food = [string, number] | null

/** Makes 9 of `food`, one every 20 ms. */
export async function producer(name: string, food: string, q: Queue<Food>): Promise<void> {
  for (let i = 0; i < 9; i++) {
    await q.put([food, i])
    console.log(`  ${name} made ${food} #${i}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Eats until it gets the sentinel; counts what it ate. */
export async function consumer(name: string, q: Queue<Food>, eaten: Value<'i'>): Promise<void> {
  for (;;) {
    const data = await q.get()
    if (data === null) break
    console.log(`  ${name} ate ${data[0]} #${data[1]}`)
    await eaten.withLock(() => { eaten.value += 1 })
  }
}

export async function main(): Promise<{ eaten: number }> {
  const q = new Queue<Food>()
  const eaten = new Value('i', 0)
  const producers = [new Process({ target: producer, args: ['tank', 'youtiao', q] }), new Process({ target: producer, args: ['farmer', 'bamboo rat', q] })]
  const consumers = ['egon', 'jason'].map((name) => new Process({ target: consumer, args: [name, q, eaten], daemon: true }))
  for (const p of [...producers, ...consumers]) await p.start()
  for (const p of producers) await p.join()
  for (const _ of consumers) await q.put(null) // one sentinel per consumer
  for (const c of consumers) await c.join()
  console.log(`main: ${eaten.value} items eaten, consumers exited with ${consumers.map((c) => c.exitCode).join(', ')}`)
  if (eaten.value !== 18) throw new Error(`expected 18 items eaten, got ${eaten.value}`)
  return { eaten: eaten.value }
}

if (isEntry(import.meta.url)) await main()
