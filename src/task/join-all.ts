/**
 * `joinAll`: gevent's `joinall` — wait for many tasks, with a timeout.
 *
 * How it works: one settle callback per task appends it to the `done` list;
 * the promise resolves when the list is full, at the timeout (with what is
 * done so far), or — with `raiseError` — rejects at the first failure.
 */
import { Task, kOnSettled } from './task.js'
import { after, noop } from './timer.js'
import { checkTimeout, describe } from './validate.js'

/** Options of {@link joinAll}. */
export interface JoinAllOptions {
  /** Stop waiting after this many ms and resolve with the tasks done so far. */
  timeout?: number
  /** Reject with the first task error (in finishing order) instead of waiting for the rest. */
  raiseError?: boolean
}

/**
 * Waits until every task is ready (or the timeout passes) and resolves with
 * the tasks that are ready, in the order they finished (tasks already ready
 * first, in input order). Never rejects with a task's error unless
 * `raiseError` is true, in which case it rejects with the first one. A task
 * that is not ready at the timeout keeps running.
 *
 * @example
 * import { spawn, joinAll, sleep } from 'skein'
 * const fast = spawn(() => sleep(1)), slow = spawn((signal) => sleep(60_000, { signal }))
 * const done = await joinAll([fast, slow], { timeout: 50 })
 * console.log(done.length, done[0] === fast) // 1 true
 * slow.kill()
 */
export function joinAll<T extends Task<unknown>>(tasks: Iterable<T>, options: JoinAllOptions = {}): Promise<T[]> {
  let list: T[]
  let ms: number | null
  try {
    if (tasks === null || tasks === undefined || typeof (tasks as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`joinAll(tasks): tasks must be an iterable of Task (e.g. an array of spawn() results), got ${describe(tasks)}`)
    }
    list = Array.from(tasks)
    list.forEach((t, i) => {
      if (!(t instanceof Task)) {
        throw new TypeError(`joinAll(tasks): tasks[${i}] is not a Task but ${describe(t)}; create tasks with spawn(fn, ...args)`)
      }
    })
    ms = checkTimeout(options?.timeout, 'joinAll(tasks, { timeout })')
  } catch (e) {
    return Promise.reject(e)
  }
  const raiseError = options.raiseError === true
  return new Promise<T[]>((resolve, reject) => {
    const done: T[] = []
    let finished = false
    let cancel = noop
    for (const t of list) {
      t[kOnSettled](() => {
        if (finished) return
        done.push(t)
        if (raiseError && !t.successful()) {
          finished = true
          cancel()
          reject(t.exception)
        } else if (done.length === list.length) {
          finished = true
          cancel()
          resolve(done)
        }
      })
    }
    if (list.length === 0) resolve(done)
    else if (!finished && ms !== null) {
      cancel = after(ms, () => {
        finished = true
        resolve(done.slice())
      })
    }
  })
}
