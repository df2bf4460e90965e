/**
 * greenlet's explicit `switch`, with generators: a producer and a consumer
 * hand control (and a value) to each other by name, and nothing else runs in
 * between — the cooperative core that gevent's scheduler is built on.
 *
 * `yield switchTo(other, value)` suspends the current greenlet and resumes
 * `other`, whose own `yield` returns `value`. A tiny trampoline drives the
 * switches. (skein's `spawn` tasks switch implicitly, at every `await`.)
 *
 * Run alone: npx tsx examples/greenlet-switch.ts
 */
import { isEntry } from './entry.js'

/** A request to move control to `target`, carrying `value`. */
type Switch = { target: string; value: unknown }
type Greenlet = Generator<Switch, void, unknown>

const switchTo = (target: string, value?: unknown): Switch => ({ target, value })

/** Runs greenlets from `start`, following each switch until one finishes. */
function run(greenlets: Record<string, Greenlet>, start: string, log: (line: string) => void): void {
  let current = start
  let value: unknown
  for (;;) {
    const g = greenlets[current]
    if (g === undefined) throw new Error(`no greenlet named ${current}`)
    const step = g.next(value)
    if (step.done === true) {
      log(`${current} finished`)
      return
    }
    log(`  switch ${current} -> ${step.value.target}${step.value.value === undefined ? '' : ` (${JSON.stringify(step.value.value)})`}`)
    current = step.value.target
    value = step.value.value
  }
}

function* producer(items: string[], log: (line: string) => void): Greenlet {
  for (const item of items) {
    log(`producer: made ${item}`)
    const ack = yield switchTo('consumer', item) // give the item, wait to be switched back
    log(`producer: consumer said ${String(ack)}`)
  }
  yield switchTo('consumer', null) // end of stream
}

function* consumer(log: (line: string) => void): Greenlet {
  let item = yield switchTo('producer') // wait for the first item
  while (item !== null) {
    log(`consumer: ate ${String(item)}`)
    item = yield switchTo('producer', `thanks for ${String(item)}`)
  }
  log('consumer: no more items')
}

/** Runs the producer/consumer and prints each switch. Returns the lines. */
export async function main(): Promise<string[]> {
  const lines: string[] = []
  const log = (line: string): void => { lines.push(line); console.log(line) }
  run({ producer: producer(['apple', 'bread', 'cheese'], log), consumer: consumer(log) }, 'consumer', log)
  return lines
}

if (isEntry(import.meta.url)) await main()
