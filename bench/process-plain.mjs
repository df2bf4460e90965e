// Process start+join with skein compiled to JS, under plain node:
// `node bench/process-plain.mjs <skein index.js URL> COUNT PAUSE_MS METHOD [BURST | gc]`.
// Prints {"ns_per_op": median}: one start+join (PAUSE_MS apart; 0 = back to
// back), or with BURST n one round of n starts at once then n joins, or with
// `gc` the time a child spends in allocation-heavy work (measured inside it).
// Started by bench/process.ts.
import { noop } from './noop.mjs'

/** Allocation-heavy work; stores its own duration (ms) in `out`. */
export function gcHeavy(out) {
  const t = performance.now()
  let keep = []
  for (let i = 0; i < 3_000_000; i++) {
    keep.push({ i, s: `n${i & 1023}` })
    if (keep.length > 100_000) keep = []
  }
  out.value = performance.now() - t
}

const [url, count, pauseMs, method, mode] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5], process.argv[6]]
const { Process, RawValue, isMainProcess, setStartMethod } = await import(url)
if (isMainProcess()) {
  setStartMethod(method)
  const pause = (ms) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve())
  const burst = mode === undefined || mode === 'gc' ? 1 : Number(mode)
  const out = new RawValue('d', 0)
  const once = async () => {
    const t = performance.now()
    const ps = Array.from({ length: burst }, () => new Process(mode === 'gc' ? { target: gcHeavy, args: [out] } : { target: noop }))
    await Promise.all(ps.map((p) => p.start())) // all at once: the fork server queues them
    for (const p of ps) await p.join()
    for (const p of ps) if (p.exitCode !== 0) throw new Error(`Process exited ${p.exitCode}`)
    return mode === 'gc' ? out.value * 1e6 : (performance.now() - t) * 1e6
  }
  await pause(pauseMs)
  await once()
  const times = []
  for (let i = 0; i < count; i++) {
    await pause(pauseMs)
    times.push(await once())
  }
  times.sort((a, b) => a - b)
  console.log(JSON.stringify({ ns_per_op: times[times.length >> 1] }))
}
