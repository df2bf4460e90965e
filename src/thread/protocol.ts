/**
 * What a skein worker thread and the thread that started it say to each
 * other (one concept: the wire between warm-worker.ts and bootstrap.ts):
 * the worker's workerData, the run and status messages, and the layout of
 * the 3-word `[doneSeq, tid, code]` struct a parent blocked in joinSync
 * reads without its event loop.
 */
import type { MessagePort } from 'node:worker_threads'
import type { ChildInfo } from '../runtime/context.js'
import type { Job } from '../process/job.js'
import type { serializeError } from '../process/run.js'

/** What the worker receives as workerData. */
export interface WorkerData {
  sab: SharedArrayBuffer
  offset: number
  processChild: ChildInfo | undefined
  preloads: string[]
  bootstrap: string
  /** The start-up gate (see LOAD_GATE in warm-worker.ts); held from before the preloads until skein is loaded, and while a run loads its target. */
  gate: SharedArrayBuffer
}

/** A job for a worker (MessagePort arguments travel in the transfer list, in job.handleArgs order). */
export interface RunMessage { skein: 'run'; seq: number; job: Job; ports: MessagePort[] }

/** Messages from a worker's bootstrap. */
export type WorkerMessage =
  | { skein: 'ready' }
  | { skein: 'started'; seq: number; nativeId: number }
  | { skein: 'failed'; seq: number; error: ReturnType<typeof serializeError> }
  | { skein: 'done'; seq: number; code: number; reusable: boolean }

/** Word indices of the shared `[doneSeq, tid, code]` struct. */
export const DONE_SEQ = 0
export const TID = 1
export const CODE = 2
/** The longest a worker waits for the start-up gate (a holder terminated mid-start never lets go). */
export const GATE_MAX_MS = 5000
