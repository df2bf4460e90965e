/** Threads: Thread, Timer and the threading module functions. */
export { Thread, activeCount, enumerate, type ThreadOptions } from './thread.js'
export { Timer } from './timer.js'
export { currentThread, mainThread, isMainThread, type ThreadInfo } from './current.js'
