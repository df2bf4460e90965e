/**
 * One worker thread as its parent sees it, and how it is started.
 *
 * How it works: the worker runs a tiny CommonJS trampoline that imports the
 * parent's `--import`/`--loader` preloads (Node 20 does not run them in
 * workers; tsx needs its `register()` called there) and then bootstrap.ts.
 * A 3-word struct in shared memory (allocated from the arena) carries
 * `[done, tid, exitCode]`: the worker writes its kernel tid at start and, in
 * its exit path, the exit code, then `done = 1` and a futex wake. joinSync
 * waits on `done` with the addon's futex in 50 ms slices and also stops when
 * `threadAlive(tid)` says the thread is gone, so a worker that was terminated
 * (whose exit handlers never ran) still releases joinSync.
 */
import { Worker, SHARE_ENV, type MessagePort } from 'node:worker_threads'
import { allocate } from '../shm/arena.js'
import { native } from '../native.js'
import type { ChildHandle } from '../process/base.js'
import type { Job } from '../process/job.js'
import { context, type ChildInfo } from '../process/context.js'
import { preloads } from '../process/execargv.js'
import { printFailure, reviveError, serializeError } from '../process/run.js'

/** What the worker receives as workerData. */
export interface ThreadData {
  job: Job
  sab: SharedArrayBuffer
  offset: number
  processChild: ChildInfo | undefined
  preloads: string[]
  bootstrap: string
  /** The start-up gate (see {@link LOAD_GATE}); held from before the preloads until the target is loaded. */
  gate: SharedArrayBuffer
  /** Transferred MessagePort arguments, in job.handleArgs order. */
  ports: MessagePort[]
}

/** Messages from a worker's bootstrap. */
export type ThreadMessage =
  | { skein: 'started'; nativeId: number }
  | { skein: 'failed'; error: ReturnType<typeof serializeError> }

const DONE = 0
const TID = 1
const CODE = 2
const SLICE_MS = 50
const GATE_MAX_MS = 5000
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const bootstrapUrl = new URL(`./bootstrap${ext}`, import.meta.url).href

/**
 * Node 20's ESM loader with loader hooks (tsx) registered in several workers
 * at once sometimes fails to link a module graph ("request for './x.js' is
 * not in cache", ERR_VM_MODULE_LINK_FAILURE; nodejs/node#52187), seen in
 * bursts of thread starts. When hooks are preloaded, the workers of this
 * thread take turns loading code: a word in a SharedArrayBuffer, held from
 * before the preloads until the target is loaded (Atomics.wait is fine here:
 * all holders are threads of this process). A holder that never lets go
 * (terminated mid-start) is waited for at most GATE_MAX_MS.
 */
const LOAD_GATE = new SharedArrayBuffer(4)

const TRAMPOLINE = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.preloads.length > 0) {
    const gate = new Int32Array(workerData.gate);
    const end = Date.now() + ${GATE_MAX_MS};
    while (Atomics.compareExchange(gate, 0, 0, 1) !== 0 && Date.now() < end) Atomics.wait(gate, 0, 1, 50);
  }
  for (const url of workerData.preloads) {
    await import(url);
    if (/\\/tsx\\/dist\\/loader\\.mjs$/.test(url)) (await import(new URL('./esm/api/index.mjs', url).href)).register();
  }
  await import(workerData.bootstrap);
})().catch((e) => { console.error(e); process.exit(1) });
`

/** A started worker thread. */
export class ThreadChild implements ChildHandle {
  readonly id: number
  readonly exited: Promise<number>
  nativeId: number | undefined
  #code: number | null = null
  readonly #words: Int32Array
  readonly #sab: SharedArrayBuffer
  readonly #offset: number

  constructor(readonly worker: Worker, sab: SharedArrayBuffer, offset: number, name: string) {
    this.id = worker.threadId
    this.#sab = sab
    this.#offset = offset
    this.#words = new Int32Array(sab, offset, 3)
    worker.on('error', (error) => printFailure('Thread', name, error))
    this.exited = new Promise((resolve) => worker.once('exit', (code) => resolve((this.#code = code))))
  }

  poll(): number | null {
    if (this.#code !== null) return this.#code
    if (Atomics.load(this.#words, DONE) === 1) return Atomics.load(this.#words, CODE)
    const tid = Atomics.load(this.#words, TID)
    return tid !== 0 && !native.threadAlive(tid) ? 1 : null
  }

  waitSync(timeoutMs: number | null): number | null {
    const deadline = timeoutMs === null ? Infinity : Date.now() + timeoutMs
    for (;;) {
      const code = this.poll()
      if (code !== null) return code
      const left = deadline - Date.now()
      if (left <= 0) return null
      native.futexWait(this.#sab, this.#offset + DONE * 4, 0, Math.min(SLICE_MS, left))
    }
  }

  signal(): void {
    void this.worker.terminate()
  }

  ref(): void {
    this.worker.ref()
  }

  unref(): void {
    this.worker.unref()
  }
}

/** Starts a worker for `job`; resolves once it runs the target. */
export async function startThread(job: Job, ports: MessagePort[]): Promise<ThreadChild> {
  const slot = allocate(12, 4)
  const data: ThreadData = {
    job, sab: slot.segment.sab, offset: slot.offset, processChild: context().child, preloads: preloads(), bootstrap: bootstrapUrl, gate: LOAD_GATE, ports,
  }
  const worker = new Worker(TRAMPOLINE, { eval: true, workerData: data, transferList: ports, env: SHARE_ENV, name: job.name })
  const child = new ThreadChild(worker, slot.segment.sab, slot.offset, job.name)
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: ThreadMessage) => {
      if (m?.skein === 'started') { child.nativeId = m.nativeId; done(); resolve() }
      if (m?.skein === 'failed') { done(); reject(reviveError(m.error, `thread ${job.name}`)) }
    }
    const onExit = (code: number) => { done(); reject(new Error(`thread ${job.name} exited (${code}) before running its target; see stderr`)) }
    const done = () => { worker.off('message', onMessage); worker.off('exit', onExit) }
    worker.on('message', onMessage)
    worker.once('exit', onExit)
  })
  if (job.daemon) worker.unref()
  return child
}
