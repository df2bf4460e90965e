/**
 * One reusable skein worker thread, as the thread that started it sees it:
 * booted once (preloads, tsx's loader, skein's package root), then given one
 * job after another. worker-pool.ts decides which worker runs what.
 *
 * How it works: the worker runs a tiny CommonJS trampoline that imports the
 * parent's `--import`/`--loader` preloads (Node 20 does not run them in
 * workers; tsx needs its `register()` called there) and then bootstrap.ts,
 * which loads skein and says 'ready'. A run is a `{ skein: 'run', seq, job }`
 * message (MessagePort arguments transferred with it); the worker answers
 * 'started' (or 'failed'), then 'done' with the exit code and whether the
 * worker can be reused. A 3-word struct from the arena, `[doneSeq, tid,
 * code]`, lets a parent blocked in joinSync see a run end without its event
 * loop: the worker stores the code, then `doneSeq = seq`, then futex-wakes
 * (the messages and the words: protocol.ts).
 */
import { SHARE_ENV, type MessagePort, type Worker } from 'node:worker_threads'
import { allocate } from '../shm/arena.js'
import type { Job } from '../process/job.js'
import { context } from '../runtime/context.js'
import { preloads } from '../process/execargv.js'
import { printFailure, reviveError } from '../process/run.js'
import { ThreadChild } from './child.js'
import { GATE_MAX_MS, type RunMessage, type WorkerData, type WorkerMessage } from './protocol.js'
import { startWorker } from './worker-argv.js'


const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const bootstrapUrl = new URL(`./bootstrap${ext}`, import.meta.url).href

/**
 * Node 20's ESM loader with loader hooks (tsx) registered in several workers
 * at once sometimes fails to link a module graph ("request for './x.js' is
 * not in cache", ERR_VM_MODULE_LINK_FAILURE; nodejs/node#52187), seen in
 * bursts of thread starts. When hooks are preloaded, the workers of this
 * thread take turns loading code: a word in a SharedArrayBuffer, held from
 * before the preloads until skein is loaded, and while a run imports its
 * target (Atomics.wait is fine here: all holders are threads of this
 * process). A holder that never lets go (terminated mid-start) is waited for
 * at most GATE_MAX_MS.
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

/** A booted (or booting) skein worker that runs one job at a time. */
export class WarmWorker {
  readonly worker: Worker
  /** worker_threads' threadId. */
  readonly threadId: number
  /** Resolves once the worker has loaded skein and waits for a job; rejects if it died first. */
  readonly ready: Promise<void>
  /** Resolves with the worker's exit code when the thread is gone. */
  readonly gone: Promise<number>
  /** Runs given so far (each run's seq); bounds the owner generations of identity.ts. */
  runs = 0
  /** Set when the worker must not be reused (a fresh worker, a failed or leaky run, terminated). */
  retired = false
  /** The run in progress, if any. */
  current: ThreadChild | undefined
  readonly words: Int32Array
  readonly sab: SharedArrayBuffer
  readonly offset: number
  #exitCode: number | null = null
  #onDone: ((warm: WarmWorker, reusable: boolean) => void) | undefined

  constructor() {
    const slot = allocate(12, 4)
    this.sab = slot.segment.sab
    this.offset = slot.offset
    this.words = new Int32Array(this.sab, this.offset, 3)
    const data: WorkerData = {
      sab: this.sab, offset: this.offset, processChild: context().child, preloads: preloads(), bootstrap: bootstrapUrl, gate: LOAD_GATE,
    }
    // The parent's flags, as far as a Worker takes them (worker-argv.ts).
    this.worker = startWorker(TRAMPOLINE, { eval: true, workerData: data, env: SHARE_ENV, name: 'skein-thread' })
    this.threadId = this.worker.threadId
    this.gone = new Promise((resolve) => this.worker.once('exit', (code) => {
      this.#exitCode = code
      this.retired = true
      this.current?.settle(code)
      this.current = undefined
      resolve(code)
    }))
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: WorkerMessage) => { if (m?.skein === 'ready') { this.worker.off('message', onMessage); resolve() } }
      this.worker.on('message', onMessage)
      void this.gone.then((code) => reject(new Error(`a skein worker thread exited (${code}) while it booted; see stderr`)))
    })
    this.worker.on('message', (m: WorkerMessage) => this.#message(m))
    this.worker.on('error', (error) => printFailure('Thread', this.current?.name ?? 'worker', error))
  }

  /** Whether the worker can take a job. */
  get usable(): boolean {
    return !this.retired && this.#exitCode === null && this.current === undefined
  }

  /**
   * Runs `job` on this (ready, idle) worker: resolves with the run's handle
   * once the target runs; rejects if the target could not be loaded (the
   * worker is then retired). `onDone` is told when the run ends, with this
   * worker and whether it can be reused (not when the worker dies: watch
   * `gone`).
   */
  run(job: Job, ports: MessagePort[], onDone: (warm: WarmWorker, reusable: boolean) => void): Promise<ThreadChild> {
    if (!this.usable) throw new Error('internal: WarmWorker.run on a busy or retired worker')
    const seq = ++this.runs
    const child = new ThreadChild(this, seq, job.name)
    this.current = child
    this.#onDone = onDone
    this.worker.ref() // until the target runs; then a daemon Thread's worker is unref'd
    this.worker.postMessage({ skein: 'run', seq, job, ports } satisfies RunMessage, ports)
    return child.started.then(() => {
      if (job.daemon && this.current === child) this.worker.unref()
      return child
    })
  }

  /**
   * Lets the worker go without ending it: never given another job, never
   * keeping the process alive; it ends by itself when the handles its last
   * Thread left open are done (or with the process).
   */
  release(): void {
    this.retired = true
    this.worker.unref()
  }

  /** Ends the worker (it is not reused); an unfinished run ends with exit code 1. */
  retire(): void {
    this.retired = true
    this.worker.unref()
    void this.worker.terminate()
  }

  #message(m: WorkerMessage): void {
    const child = this.current
    if (child === undefined || !('seq' in m) || m.seq !== child.seq) return
    switch (m.skein) {
      case 'started':
        child.nativeId = m.nativeId
        child.markStarted()
        break
      case 'failed':
        this.current = undefined
        this.retired = true
        child.fail(reviveError(m.error, `thread ${child.name}`))
        this.retire()
        break
      case 'done': {
        this.current = undefined
        child.settle(m.code)
        const onDone = this.#onDone
        this.#onDone = undefined
        onDone?.(this, m.reusable)
        break
      }
    }
  }
}
