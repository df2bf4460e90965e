/**
 * Join timing: three children sleeping 1, 2 and 3 s, started together and
 * joined, take about 3 s; run one after another they take about 6 s.
 *
 *   npx tsx examples/join-timing.ts
 */
import { Process } from 'skein'
import { isEntry } from './entry.js'

/** The child's work: sleep `seconds`. */
export async function nap(seconds: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
}

export async function main(): Promise<void> {
  let t = performance.now()
  const children = [1, 2, 3].map((s) => new Process({ target: nap, args: [s] }))
  await Promise.all(children.map((p) => p.start()))
  const startup = (performance.now() - t) / 1000
  for (const p of children) await p.join()
  const together = (performance.now() - t) / 1000
  console.log(`started together, joined: ${together.toFixed(2)} s (the longest sleep is 3 s; ${startup.toFixed(2)} s of it starting 3 Node processes)`)

  t = performance.now()
  for (const s of [1, 2, 3]) {
    const p = new Process({ target: nap, args: [s] })
    await p.start()
    await p.join()
  }
  const sequential = (performance.now() - t) / 1000
  console.log(`one after another:      ${sequential.toFixed(2)} s (1 + 2 + 3 = 6 s)`)
  console.log(`exit codes: ${children.map((p) => p.exitCode).join(', ')}`)
  if (children.some((p) => p.exitCode !== 0)) throw new Error('a sleeper did not exit with code 0')
}

if (isEntry(import.meta.url)) await main()
