/**
 * The fork server runs a pool worker's loop (pool/worker.ts) before it says
 * it is ready, so that a Pool's workers start with that loop compiled.
 *
 * Why (traced with `--trace-opt --trace-deopt` in the workers of a
 * `Pool(2)`): a fresh worker compiled `poolWorker` (~10–19 ms), the
 * flusher, the codec's object paths and a dozen more on its own thread (a
 * fork server child runs V8 single-threaded), and on its first task
 * deoptimized the queue's entry points, which the queue warm-up had never
 * seen take objects or wait with a timeout ("insufficient type feedback"),
 * running them unoptimized for its next ~2,500 tasks. One task at a time
 * (`await pool.applyAsync(f, [i]).get()`) the first 3,000 round trips then
 * averaged 100–200 µs, against ~7 µs once compiled.
 *
 * Here a helper plays the pool's side: it sends batches the way dispatch.ts
 * does (the function's reference with the first, single calls and a map
 * chunk now and then, then `null`) and takes the reports; the server runs
 * `poolWorker` itself, twice, on two handles revived from each queue's
 * descriptor (as a child revives them), so that the compiled code expects
 * any handle. The server's identity is restored afterwards by the caller
 * (warm-queue.ts's last registry swap).
 *
 * @example
 * import { warmPoolWorker } from './warm-pool.js'
 * await warmPoolWorker(channelFd) // in the fork server, from warm-queue.ts
 */
import { decode, encode } from '../shm/handle.js'
import { Queue } from '../queue/queue.js'
import { RawArray } from '../shared/raw-array.js'
import { poolWorker } from '../pool/worker.js'
import { CALL, CELLS, MAP, type Batch, type Report } from '../pool/protocol.js'
import { HELPER_WAIT_MS, kept, reap, startHelpers } from './warm-helpers.js'

/** Batches of the first run (enough for the loop to be optimized here), and of the second (enough for its call sites to see a second handle). */
const BATCHES = [2_000, 300] as const
/** Every this many batches, one is a map chunk. */
const MAP_EVERY = 16
/** Items of a map chunk: enough to go as one Float64Array (pool/columns.ts). */
const CHUNK = 64

/** The task the warm-up runs (exported: the worker loads it by module and name, as any task). */
export function warmTask(x: number): number {
  return x * x
}

/** Runs `poolWorker` here twice against a helper that plays the pool. */
export async function warmPoolWorker(channelFd: number): Promise<void> {
  const [inboxA, inboxB] = await twoHandles(new Queue<Batch | null>(0, { name: 'fork server warm-up inbox' }))
  const [resultsA, resultsB] = await twoHandles(new Queue<Report>(0, { name: 'fork server warm-up results' }))
  const state = new RawArray('i', CELLS)
  kept.push(state)
  for (const [run, inbox, results] of [[0, inboxA, resultsA], [1, inboxB, resultsB]] as const) {
    const helpers = startHelpers(channelFd, [() => playPool(inboxA, resultsA, BATCHES[run])])
    try {
      await poolWorker(inbox, results, state, 0, null, [])
    } finally {
      reap(helpers)
    }
  }
}

/** The pool's side: every batch, then `null`, then every report. */
function playPool(inbox: Queue<Batch | null>, results: Queue<Report>, batches: number): void {
  const opts = { timeout: HELPER_WAIT_MS }
  const chunk = new Float64Array(CHUNK).map((_, i) => i)
  for (let i = 0; i < batches; i++) {
    const defs = i === 0 ? [0, import.meta.url, 'warmTask'] : []
    const tasks = i % MAP_EVERY === MAP_EVERY - 1 ? [i + 1, 0, MAP, chunk] : [i + 1, 0, CALL, [i]]
    inbox.putSync({ defs, tasks }, opts)
  }
  inbox.putSync(null, opts)
  for (let done = 0; done < batches;) {
    const [, out] = results.getSync(opts)
    done += (out?.length ?? 0) / 3
  }
}

/** Two handles on `made`, each revived from its descriptor as a child's are; all three kept alive. */
async function twoHandles<T>(made: Queue<T>): Promise<[Queue<T>, Queue<T>]> {
  const described = await encode(made)
  const a = (await decode(described)) as Queue<T>
  const b = (await decode(described)) as Queue<T>
  kept.push(made, a, b)
  return [a, b]
}
