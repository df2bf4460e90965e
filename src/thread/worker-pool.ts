/**
 * The warm workers of this JS thread: booted ahead of need, lent to one
 * Thread at a time, taken back when its target returns. `Thread` uses them,
 * and the ThreadPool of the pools issue is meant to borrow from the same
 * set, so a program that uses both keeps one set of workers.
 *
 * Policy (see docs/processes.md, "Warm workers"):
 * - the first `new Thread()` boots one worker in the background; a borrow
 *   that leaves no idle worker boots one more spare;
 * - a borrow takes the most recently used idle worker (LIFO, so the others
 *   age out; a newly booted spare waits at the bottom), else waits for one: at most BOOTING_MAX boot at once, and a worker
 *   given back serves the oldest waiting borrow first;
 * - idle workers are unref'd (they never keep the process alive), at most
 *   IDLE_MAX are kept, and each is retired after IDLE_MS without work;
 * - a worker whose Thread left handles open (timers, sockets, servers,
 *   ports with listeners) is let go: unref'd, never reused, left to end by
 *   itself when those handles are done (or with the process);
 * - a worker is retired (terminated) instead of reused when its run failed
 *   to load its target, was terminated, was `fresh`, or ran MAX_GENERATION
 *   Threads (identity.ts).
 *
 * @example
 * // the internal API a ThreadPool uses (not exported from the package):
 * import { borrowWorker, giveBack } from './worker-pool.js'
 * const warm = await borrowWorker()
 * const run = await warm.run(job, [], giveBack) // resolves when the target runs
 * await run.exited                               // the target returned; warm is idle again
 */
import { availableParallelism } from 'node:os'
import type { MessagePort } from 'node:worker_threads'
import type { Job } from '../process/job.js'
import { MAX_GENERATION } from '../sync/identity.js'
import type { ThreadChild } from './child.js'
import { WarmWorker } from './warm-worker.js'

/** Options of {@link borrowWorker}. */
export interface BorrowOptions {
  /** A newly booted worker, retired after its one run (module state of its own). */
  fresh?: boolean
}

const BOOTING_MAX = 2 * availableParallelism()
const IDLE_MAX = 128
const IDLE_MS = 30_000

interface Waiter { resolve(w: WarmWorker): void; reject(e: unknown): void }

const idle: WarmWorker[] = []
const idleTimers = new Map<WarmWorker, NodeJS.Timeout>()
const waiting: Waiter[] = []
const fresh = new WeakSet<WarmWorker>()
/** Workers booting now: unref'd while no borrow waits for them (a spare must not delay the process's exit). */
const bootingSet = new Set<WarmWorker>()
let booting = 0

/** Boots one worker in the background if none is idle or booting (called by `new Thread()`). */
export function prewarm(): void {
  if (idle.length === 0 && booting === 0) boot()
}

/**
 * Lends a ready worker: an idle one, else the next one booted or given back.
 * Give it a job with `warm.run(job, ports, giveBack)`; it comes back by
 * itself when the job's target returns.
 */
export function borrowWorker(options: BorrowOptions = {}): Promise<WarmWorker> {
  if (options.fresh === true) {
    const warm = new WarmWorker()
    fresh.add(warm)
    return warm.ready.then(() => warm)
  }
  const warm = idle.pop()
  if (warm !== undefined) {
    clearTimeout(idleTimers.get(warm))
    idleTimers.delete(warm)
    if (idle.length === 0 && booting === 0) boot() // a spare for the next start
    return Promise.resolve(warm)
  }
  const got = new Promise<WarmWorker>((resolve, reject) => waiting.push({ resolve, reject }))
  if (booting < Math.min(BOOTING_MAX, waiting.length)) boot()
  for (const w of bootingSet) w.worker.ref()
  return got
}

/**
 * Takes a worker back after a run: reused if it can be; let go (unref'd,
 * left to end when the handles its Thread left open are done) if not
 * `reusable`; else retired.
 */
export function giveBack(warm: WarmWorker, reusable: boolean): void {
  if (!reusable) warm.release()
  else if (fresh.has(warm) || warm.runs >= MAX_GENERATION || !warm.usable) warm.retire()
  else offer(warm)
}

/** Starts `job` on a borrowed worker (a new one with `fresh`); resolves once it runs the target. */
export async function startThread(job: Job, ports: MessagePort[], options: BorrowOptions = {}): Promise<ThreadChild> {
  const warm = await borrowWorker(options)
  return warm.run(job, ports, giveBack)
}

/** How many workers are idle and booting now (for tests and docs). */
export function poolState(): { idle: number; booting: number; waiting: number } {
  return { idle: idle.length, booting, waiting: waiting.length }
}

function boot(): void {
  booting++
  const warm = new WarmWorker()
  bootingSet.add(warm)
  if (waiting.length === 0) warm.worker.unref()
  warm.ready.then(() => {
    booting--
    bootingSet.delete(warm)
    offer(warm, true)
  }, (error: unknown) => {
    booting--
    bootingSet.delete(warm)
    // A worker that cannot boot (a broken preload, say) fails the oldest waiting borrow rather than looping.
    waiting.shift()?.reject(error)
    if (waiting.length > booting) boot()
  })
  void warm.gone.then(() => forget(warm))
}

/** Hands a ready worker to the oldest waiting borrow, else parks it idle: a worker just used on top (LIFO), a newly booted spare at the bottom. */
function offer(warm: WarmWorker, spare = false): void {
  if (!warm.usable) return
  const next = waiting.shift()
  if (next !== undefined) {
    next.resolve(warm)
    if (waiting.length > booting && booting < BOOTING_MAX) boot()
    return
  }
  if (idle.length >= IDLE_MAX) return warm.retire()
  warm.worker.unref()
  if (spare) idle.unshift(warm)
  else idle.push(warm)
  const timer = setTimeout(() => { forget(warm); warm.retire() }, IDLE_MS)
  timer.unref()
  idleTimers.set(warm, timer)
}

function forget(warm: WarmWorker): void {
  const at = idle.indexOf(warm)
  if (at >= 0) idle.splice(at, 1)
  clearTimeout(idleTimers.get(warm))
  idleTimers.delete(warm)
}
