// Process start+join of a no-op target with skein compiled to JS, under plain
// node: `node bench/process-plain.mjs <skein index.js URL> COUNT PAUSE_MS`.
// Prints {"ns_per_op": median}. Started by bench/process.ts.
import { noop } from './noop.mjs'

const [url, count, pauseMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])]
const { Process, isMainProcess } = await import(url)
if (isMainProcess()) {
  const pause = (ms) => new Promise((r) => setTimeout(r, ms))
  const once = async () => {
    const t = performance.now()
    const p = new Process({ target: noop })
    await p.start()
    await p.join()
    if (p.exitCode !== 0) throw new Error(`no-op Process exited ${p.exitCode}`)
    return (performance.now() - t) * 1e6
  }
  new Process({ target: noop }) // starts the warm spare
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
