// A/B of skein's hot paths between two builds, in one process, rounds
// alternating (so the machine's load hits both alike): the uncontended Lock
// (acquireSync+release, await acquire+release), a Queue put+get in one
// thread, an uncontended Semaphore, and creating Locks. Prints the median ns
// per op of each and the ratio B/A. Times are the process's CPU time
// (process.cpuUsage), not wall time: on a loaded machine a process waiting for
// a CPU does not count, so the ratio holds under load.
//
//   node bench/ab.mjs A_DIST B_DIST     e.g. a build of main and this tree's dist
//
// Both builds must load the same addon file (give A a `build` symlink to
// B's), since Node loads an addon once per path.
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'

const [aDir, bDir] = process.argv.slice(2)
if (aDir === undefined || bDir === undefined) {
  console.error('usage: node bench/ab.mjs A_DIST B_DIST')
  process.exit(2)
}
const A = await import(pathToFileURL(resolve(aDir, 'index.js')).href)
const B = await import(pathToFileURL(resolve(bDir, 'index.js')).href)
const ROUNDS = Number(process.env.AB_ROUNDS ?? 7)

const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 } // ms
function perOp(n, t) { return ((cpuNow() - t) * 1e6) / n }

function lockSync(skein, n) {
  const lock = new skein.Lock()
  const t = cpuNow()
  for (let i = 0; i < n; i++) { lock.acquireSync(); lock.release() }
  return perOp(n, t)
}

async function lockAsync(skein, n) {
  const lock = new skein.Lock()
  const t = cpuNow()
  for (let i = 0; i < n; i++) { await lock.acquire(); lock.release() }
  return perOp(n, t)
}

function semSync(skein, n) {
  const sem = new skein.Semaphore(4)
  const t = cpuNow()
  for (let i = 0; i < n; i++) { sem.acquireSync(); sem.release() }
  return perOp(n, t)
}

function queuePutGet(skein, n) {
  const q = new skein.Queue()
  const t = cpuNow()
  for (let i = 0; i < n; i++) { q.putNowait(i); q.getNowait() }
  return perOp(n, t)
}

function lockCreate(skein, n) {
  const keep = []
  const t = cpuNow()
  for (let i = 0; i < n; i++) keep.push(new skein.Lock())
  return perOp(n, t)
}

const cases = [
  ['Lock acquireSync+release', (s) => lockSync(s, 5_000_000)],
  ['Lock await acquire+release', (s) => lockAsync(s, 1_000_000)],
  ['Semaphore(4) acquireSync+release', (s) => semSync(s, 2_000_000)],
  ['Queue putNowait+getNowait, one thread', (s) => queuePutGet(s, 500_000)],
  ['new Lock() (kept)', (s) => lockCreate(s, 20_000)],
]

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const rows = []
for (const [name, run] of cases) {
  await run(A); await run(B) // warm both
  const a = []; const b = []
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) { a.push(await run(A)); b.push(await run(B)) } else { b.push(await run(B)); a.push(await run(A)) }
  }
  rows.push({ case: name, 'A ns/op': median(a).toFixed(1), 'B ns/op': median(b).toFixed(1), 'B/A': (median(b) / median(a)).toFixed(2) })
}
console.table(rows)
