/**
 * The fork server runs a shared queue hot, under real contention, before
 * it says it is ready, so that its children start with the queue's code
 * compiled and its type feedback complete.
 *
 * Why: a fork server child inherits the server's heap, compiled code and
 * feedback included, but runs `--single-threaded`, so whatever it compiles
 * it compiles on its own main thread. Eight fresh children on a Queue(64)
 * spent ~150 ms each compiling the queue's paths (put, take, the spin, the
 * side locks, the waits: 15–70 ms a function) and recompiled each path the
 * first time they met it (a full queue, a sleeper to wake, a contended
 * lock: "insufficient type feedback" deoptimizations). Here the server plays
 * each role against helper processes it forks for the purpose: it puts
 * beside two other producers into a queue one consumer drains, then takes
 * beside another consumer from a queue two producers fill. Its own calls are
 * the ones users write (`putSync(item)`, `getSync()`), so the feedback is
 * theirs.
 *
 * What keeps the compiled code valid in a child (each found by tracing the
 * children's deoptimizations):
 * - the warm-up handles stay alive here: code names their maps weakly, and
 *   a collected map deoptimizes it ("weak objects");
 * - the handles are made as a child makes its own (described, then
 *   revived), and there are two of them, used in turn: code that calls a
 *   handle's closures then expects any handle's, not these two;
 * - what every child changes is changed here first, before the code is
 *   compiled: `owner.id` (optimized code takes a field never written since
 *   it was set for a constant), and the registry, which every child maps
 *   anew (the server drops its own before the second handle is made, and
 *   again at the end, so the warm-up queue is not listed as the server's).
 *
 * It runs after the heap is tidied (server-heap.ts): on Node 22 the
 * low-memory collection after it at times dropped the optimized code. It
 * ends with passes alone until V8 reports `putSync` and `getSync`
 * optimized (`%GetOptimizationStatus`, natives syntax switched on for that
 * one parse only): the last contended phase at times left one deoptimized.
 *
 * A helper is this server's own child (not its parent's): it runs its role
 * with a timeout on every wait, exits at once with `_exit`, and is reaped
 * here; it dies with the server. The server's own waits have no timeout
 * (that path is the users'): if a helper died mid-way, the server would not
 * say it is ready, and the parent's ready timeout (forkserver.ts) kills it
 * and spawns instead. Cost: ~0.6–0.9 s once, at the server's start-up.
 *
 * @example
 * import { warmQueuePaths } from './warm-queue.js'
 * await warmQueuePaths(channelFd) // in the fork server, before it says it is ready
 */
import { setFlagsFromString } from 'node:v8'
import { native } from '../native.js'
import { decode, encode } from '../shm/handle.js'
import { runAfterForkHooks } from '../shm/after-fork.js'
import { forgetRegistry, identifyProcess, retireRegistry } from '../observe/registry.js'
import { forgetRecords } from '../observe/records.js'
import { Queue } from '../queue/queue.js'
import { owner } from '../sync/identity.js'

/** Items each producer puts: enough for the hot paths to be optimized here. */
const ITEMS = 10_000
/** Uncontended puts and gets per pass at the end, and passes at most. */
const SETTLE = 5_000
const SETTLE_PASSES = 8
/** A helper's longest wait (ms): a helper whose peer vanished ends rather than hangs. */
const HELPER_WAIT_MS = 30_000
/** The end of a producer's items. */
const SENTINEL = -1

/** The warm-up handles, alive for the server's life (their maps are named by the compiled code). */
const kept: object[] = []

/** Runs a Queue(64) hot in each role; `channelFd`: the server's IPC channel, which the helpers must not touch. */
export async function warmQueuePaths(channelFd: number): Promise<void> {
  const id = owner.id
  owner.id = id ^ 1
  owner.id = id
  const made = new Queue<number>(64, { name: 'fork server warm-up' })
  const described = await encode(made)
  const first = (await decode(described)) as Queue<number>
  newRegistry()
  const second = (await decode(described)) as Queue<number>
  kept.push(made, first, second)
  const handle = (i: number): Queue<number> => (i & 1) === 0 ? first : second

  let helpers = startHelpers(channelFd, [() => produce(first, ITEMS), () => produce(first, ITEMS), () => consume(first, 3)])
  for (let i = 0; i < ITEMS; i++) handle(i).putSync(i)
  first.putSync(SENTINEL)
  reap(helpers)

  helpers = startHelpers(channelFd, [() => consume(first, 1), () => produce(first, ITEMS), () => produce(first, ITEMS)])
  for (let i = 0; handle(i).getSync() !== SENTINEL; i++);
  reap(helpers)
  newRegistry()
  // Alone now, until V8 says the two entry points are optimized (at times the last phase left
  // one deoptimized: the test saw it on Node 20 and 22); a few passes at most.
  const optimized = optimizationProbe()
  const proto = Queue.prototype
  for (let pass = 0; pass < SETTLE_PASSES; pass++) {
    for (let i = 0; i < SETTLE; i++) {
      handle(i).putSync(i)
      handle(i + 1).getSync()
    }
    if (optimized === undefined || (optimized(proto.putSync) && optimized(proto.getSync))) break
  }
}

/** @internal V8's own answer to "is this function optimized code now?", or undefined where it cannot be asked (also the fork server test's). */
export function optimizationProbe(): ((f: unknown) => boolean) | undefined {
  try {
    setFlagsFromString('--allow-natives-syntax')
    const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number
    const OPTIMIZED = 1 << 4
    return (f) => (status(f) & OPTIMIZED) !== 0
  } catch {
    return undefined
  } finally {
    setFlagsFromString('--no-allow-natives-syntax')
  }
}

/** Drops this process's registry and its records, as a child does after the fork. */
function newRegistry(): void {
  retireRegistry() // its mapping lasts until it is collected: readers must not list the warm-up queue from it
  forgetRegistry()
  forgetRecords()
  identifyProcess('fork server', 'ForkServer')
}

/** Forks one helper per role; their pids. If a fork fails, the helpers already started are killed and reaped. */
function startHelpers(channelFd: number, roles: Array<() => void>): number[] {
  const pids: number[] = []
  try {
    for (const role of roles) pids.push(helper(channelFd, role))
  } catch (error) {
    for (const pid of pids) process.kill(pid, 'SIGKILL')
    reap(pids)
    throw error
  }
  return pids
}

/** Forks a helper running `role`; its pid. */
function helper(channelFd: number, role: () => void): number {
  const pid = native.forkChild([channelFd], true)
  if (pid !== 0) return pid
  let code = 0
  try {
    runAfterForkHooks()
    if (!native.setPdeathsig(9, process.ppid)) code = 1
    else role()
  } catch {
    code = 1
  }
  return native.exitNow(code)
}

function produce(q: Queue<number>, n: number): void {
  const opts = { timeout: HELPER_WAIT_MS }
  for (let i = 0; i < n; i++) q.putSync(i, opts)
  q.putSync(SENTINEL, opts)
}

function consume(q: Queue<number>, sentinels: number): void {
  const opts = { timeout: HELPER_WAIT_MS }
  for (let seen = 0; seen < sentinels;) if (q.getSync(opts) === SENTINEL) seen++
}

function reap(pids: number[]): void {
  for (const pid of pids) native.reapChild(pid)
}
