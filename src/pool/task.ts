/**
 * A task as the pool holds it in the parent, from submission until its
 * outcome reaches its {@link Sink}: waiting in the backlog (`seq` 0), then
 * sent to one worker (`seq` numbers it on that worker, from 1).
 */
import { CALL, type Kind } from './protocol.js'

/** Where a task's outcome goes. */
export interface Sink {
  _resolve(value: unknown): void
  _reject(error: unknown): void
}

/** One task in the parent. */
export interface Task {
  /** Index of its function in the pool's function table (-1 while the function is being located). */
  fn: number
  kind: Kind
  payload: unknown
  sink: Sink
  /** Its sequence number on the worker it was sent to; 0 while it waits in the backlog. */
  seq: number
  /** Removed by its AbortSignal before it was sent. */
  cancelled: boolean
}

/** A new task, not yet sent. */
export function newTask(kind: Kind, payload: unknown, sink: Sink): Task {
  return { fn: -1, kind, payload, sink, seq: 0, cancelled: false }
}

/** Items a task stands for: a map chunk's length, else 1. */
export function itemsOf(task: Task): number {
  return task.kind === CALL ? 1 : (task.payload as ArrayLike<unknown>).length
}
