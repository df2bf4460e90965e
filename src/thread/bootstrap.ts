/**
 * The entry point of every skein worker thread (after the trampoline in
 * warm-worker.ts): loads skein once, says 'ready', then runs one job after
 * another, each as a new Thread.
 *
 * A run: take on the Thread's identity (currentThread(), a fresh lock owner
 * id), import the target's module while "bootstrapping" (so an unguarded
 * top-level start() throws), report 'started' or 'failed', run the target;
 * a thrown error is printed with its stack and the exit code is 1. When the
 * target returns the Thread has ended (Python's thread ends when run()
 * returns): its owner id is retired (locks it still holds become
 * recoverable), the `[doneSeq, tid, code]` words are set and futex-woken (a
 * worker's console output travels through the parent thread's event loop, so
 * a parent blocked in joinSync must not need its messages), and 'done' says
 * whether the worker can be reused: not if the target left handles open
 * that keep an event loop alive (timers, sockets, servers, ports with
 * listeners). Such a worker is let go: it gets no more jobs, its port to the
 * parent stops holding it, and it ends when those handles are done; the
 * parent unrefs it, so it never keeps the process alive.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads'
import { native } from '../native.js'
import { context } from '../runtime/context.js'
import { loadJob, loadRoot, printFailure, serializeError } from '../process/run.js'
import { renewOwner, retireOwner } from '../sync/identity.js'
import { CODE, DONE_SEQ, GATE_MAX_MS, TID, type RunMessage, type WorkerData, type WorkerMessage } from './protocol.js'
import { setCurrentThread } from './current.js'
import { setRole } from '../observe/registry.js'
import { threadBackend } from './thread.js'
import { activeResources, requestsSettled } from '../runtime/requests.js'

const data = workerData as WorkerData
const words = new Int32Array(data.sab, data.offset, 3)
const nativeId = native.gettid()
const gate = new Int32Array(data.gate)
const gated = data.preloads.length > 0
Atomics.store(words, TID, nativeId)
context().child = data.processChild
const post = (m: WorkerMessage) => parentPort!.postMessage(m)

/** The run in progress (0: none). */
let running = 0
/** Module URLs of targets this worker has imported. */
const imported = new Set<string>()

/** Marks run `seq` finished for joinSync. */
function finished(seq: number, code: number): void {
  if (Atomics.load(words, DONE_SEQ) >= seq) return
  Atomics.store(words, CODE, code)
  Atomics.store(words, DONE_SEQ, seq)
  native.futexWake(data.sab, data.offset + DONE_SEQ * 4, 1 << 30)
}
// process.exit() in a target, or a fatal error, ends the worker: its run ends with it.
process.on('exit', (code) => { if (running !== 0) finished(running, code) })

/** Lets the next worker of the parent thread load its code (see LOAD_GATE in warm-worker.ts). */
function openGate(): void {
  Atomics.store(gate, 0, 0)
  Atomics.notify(gate, 0, 1)
}

function closeGate(): void {
  const end = Date.now() + GATE_MAX_MS
  while (Atomics.compareExchange(gate, 0, 0, 1) !== 0 && Date.now() < end) Atomics.wait(gate, 0, 1, 50)
}

/**
 * Requests a run left in flight (a file write the target did not await, one
 * of a loader's own: tsx writes its cache asynchronously on a cold start)
 * are waited for, up to REQUESTS_MS, before the worker is judged; one still
 * pending then makes it not reusable, like a handle (runtime/requests.ts).
 */
const REQUESTS_MS = 2000

/**
 * Whether the target left anything open that was not there before it ran.
 * A worker's stdout/stderr keep its port to the parent ref'd while written
 * chunks wait for the parent's acknowledgement: one more MessagePort then,
 * which goes by itself.
 */
function leftOpen(before: Map<string, number>): boolean {
  const now = activeResources()
  if (process.stdout.writableLength > 0 || process.stderr.writableLength > 0) now.set('MessagePort', (now.get('MessagePort') ?? 1) - 1)
  for (const [kind, n] of now) if (n > (before.get(kind) ?? 0)) return true
  return false
}

async function run({ seq, job, ports }: RunMessage): Promise<void> {
  running = seq
  const before = activeResources()
  setCurrentThread({ name: job.name, ident: threadId, nativeId, daemon: job.daemon })
  setRole('thread', job.name, true)
  const renewed = renewOwner()
  let call: () => unknown
  // The gate guards module loading; a module this worker imported before is not loaded again.
  const urls = [job.target?.url, job.cls?.url].filter((u): u is string => u !== undefined)
  const loads = gated && !urls.every((u) => imported.has(u))
  if (loads) closeGate()
  try {
    call = await loadJob(job, threadBackend, ports, !gated)
  } catch (error) {
    printFailure('Thread', job.name, error)
    retireOwner()
    finished(seq, 1)
    running = 0
    post({ skein: 'failed', seq, error: serializeError(error) })
    return
  } finally {
    if (loads) openGate()
  }
  for (const u of urls) imported.add(u)
  post({ skein: 'started', seq, nativeId })
  let code = 0
  try {
    await call()
  } catch (error) {
    printFailure('Thread', job.name, error)
    code = 1
  }
  const retired = renewed && retireOwner()
  finished(seq, code)
  running = 0
  setRole('idle worker', 'idle')
  // One turn of the event loop first: work the target deferred (a listen()
  // after a nextTick lookup, say) has then created its handle.
  await new Promise((resolve) => setImmediate(resolve))
  await requestsSettled(before, REQUESTS_MS)
  // Not reusable: handles left open (they run on), or a Thread identity that
  // could not be renewed or retired (ending the thread ends it, identity.ts).
  // No new job will come, so this worker ends when its event loop is empty,
  // not kept alive by its port to the parent.
  const reusable = retired && !leftOpen(before)
  post({ skein: 'done', seq, code, reusable })
  if (!reusable) parentPort!.unref()
}

// Under loader hooks, skein's root is loaded now, inside the gate; on plain
// node only when a job needs it (loadJob's lazyRoot): a cold start then
// costs the bootstrap's own modules, not the whole package.
if (gated) {
  await loadRoot()
  openGate()
}
parentPort!.on('message', (m: RunMessage) => { if (m?.skein === 'run') void run(m) })
post({ skein: 'ready' })
