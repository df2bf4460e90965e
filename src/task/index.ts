/**
 * The task level of skein: gevent-style concurrency among async functions of
 * one thread — `spawn`/`Task`, `joinAll`, `TaskGroup`, `TaskPool`, `sleep`,
 * `withTimeout`. See docs/tasks.md for the semantics and the decisions.
 *
 * @example
 * import { spawn, joinAll, sleep } from 'skein'
 * const tasks = [1, 2, 3].map((n) => spawn(async (signal) => { await sleep(n, { signal }); return n }))
 * console.log((await joinAll(tasks)).map((t) => t.value)) // [1, 2, 3]
 */
export { Task, spawn, type TaskFunction } from './task.js'
export { joinAll, type JoinAllOptions } from './join-all.js'
export { TaskGroup, type TaskGroupOptions } from './group.js'
export { TaskPool, type ImapOptions } from './pool.js'
export { sleep, type SleepOptions } from './sleep.js'
export { withTimeout } from './with-timeout.js'
