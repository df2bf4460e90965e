/**
 * The entry point of every skein worker thread (after the trampoline in
 * child.ts). Records the kernel tid and the exit path in the shared
 * `[done, tid, exitCode]` words, takes on the process identity of its parent
 * thread and its own thread identity, imports the target's module while
 * "bootstrapping" (so an unguarded top-level start() throws), reports
 * 'started' or 'failed', and runs the target; a thrown error is printed with
 * its stack and the thread's exit code is 1. The 'done' word is set as soon
 * as the target returns (Python's thread ends when run() returns): a worker's
 * console output travels through the parent thread's event loop, so waiting
 * for the worker's own exit would deadlock a parent blocked in joinSync.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads'
import { native } from '../native.js'
import { context } from '../process/context.js'
import { loadJob, printFailure, serializeError } from '../process/run.js'
import type { ThreadData, ThreadMessage } from './child.js'
import { setCurrentThread } from './current.js'
import { threadBackend } from './thread.js'

const data = workerData as ThreadData
const words = new Int32Array(data.sab, data.offset, 3)
const nativeId = native.gettid()
Atomics.store(words, 1, nativeId)
/** Marks the thread finished for joinSync: when its target returns or throws, or at exit. */
function finished(code: number): void {
  if (Atomics.load(words, 0) === 1) return
  Atomics.store(words, 2, code)
  Atomics.store(words, 0, 1)
  native.futexWake(data.sab, data.offset, 1 << 30)
}
process.on('exit', finished)
context().child = data.processChild
setCurrentThread({ name: data.job.name, ident: threadId, nativeId, daemon: data.job.daemon })

const post = (m: ThreadMessage) => parentPort!.postMessage(m)
/** Lets the next worker of this thread load its code (see LOAD_GATE in child.ts). */
function openGate(): void {
  const gate = new Int32Array(data.gate)
  Atomics.store(gate, 0, 0)
  Atomics.notify(gate, 0, 1)
}
let call: () => unknown
try {
  call = await loadJob(data.job, threadBackend, data.ports)
  openGate()
} catch (error) {
  openGate()
  printFailure('Thread', data.job.name, error)
  post({ skein: 'failed', error: serializeError(error) })
  process.exit(1)
}
post({ skein: 'started', nativeId })
try {
  await call()
  finished(0)
} catch (error) {
  printFailure('Thread', data.job.name, error)
  finished(1)
  process.exit(1)
}
