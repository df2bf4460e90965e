/**
 * Queues between threads, from the course notes: the bun shop
 * (`queue.Queue(maxsize=10)`, one producer thread, two consumer threads),
 * then a LifoQueue and a PriorityQueue filled by one thread and read by another.
 *
 *   npx tsx examples/thread-queues.ts
 */
import { Thread, Queue, LifoQueue, PriorityQueue, Value } from 'skein'
import { isEntry } from './entry.js'

/** Bakes `n` buns, then one sentinel per consumer. */
export async function produce(name: string, q: Queue<string | null>, n: number, consumers: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await q.put(`bun ${i}`)
    if (i % 5 === 0) console.log(`  ${name} baked ${i} buns (queue holds ${q.qsize()})`)
  }
  for (let i = 0; i < consumers; i++) await q.put(null)
}

/** Eats buns slowly until the sentinel. */
export async function consume(name: string, q: Queue<string | null>, eaten: Value<'i'>): Promise<void> {
  for (;;) {
    const bun = await q.get()
    if (bun === null) return
    await eaten.withLock(() => { eaten.value += 1 })
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Puts 1..5 in a stack and (priority, task) pairs in a priority queue. */
export function fill(stack: LifoQueue<number>, jobs: PriorityQueue<string>): void {
  for (const n of [1, 2, 3, 4, 5]) stack.putSync(n)
  jobs.putSync([3, 'write the report'])
  jobs.putSync([1, 'fix the outage'])
  jobs.putSync([2, 'answer mail'])
  jobs.putSync([1, 'call the customer'])
}

export async function main(): Promise<{ eaten: number; popped: number[]; order: string[] }> {
  const q = new Queue<string | null>(10)
  const eaten = new Value('i', 0)
  const p = new Thread({ target: produce, args: ['p01', q, 30, 2] })
  const cs = ['c01', 'c02'].map((name) => new Thread({ target: consume, args: [name, q, eaten] }))
  for (const t of [p, ...cs]) await t.start()
  for (const t of [p, ...cs]) await t.join()
  console.log(`bun shop: 30 baked, ${eaten.value} eaten by two consumer threads; the queue never held more than 10`)
  if (eaten.value !== 30) throw new Error(`expected 30 buns eaten, got ${eaten.value}`)

  const stack = new LifoQueue<number>()
  const jobs = new PriorityQueue<string>()
  const filler = new Thread({ target: fill, args: [stack, jobs] })
  await filler.start()
  await filler.join()
  const popped: number[] = []
  while (!stack.empty()) popped.push(await stack.get())
  console.log(`LifoQueue (filled by another thread): ${popped.join(' ')}`)
  const order: string[] = []
  while (!jobs.empty()) {
    const [priority, task] = await jobs.get()
    order.push(`${priority}:${task}`)
  }
  console.log(`PriorityQueue, lowest first, FIFO among equals: ${order.join(' | ')}`)
  if (popped.join() !== '5,4,3,2,1' || order[0] !== '1:fix the outage' || order[1] !== '1:call the customer' || order[3] !== '3:write the report') {
    throw new Error('wrong LIFO or priority order')
  }
  return { eaten: eaten.value, popped, order }
}

if (isEntry(import.meta.url)) await main()
