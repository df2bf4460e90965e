/**
 * Who "I" am for ownership: the kernel thread id of the calling JS thread.
 * Kernel tids are unique system-wide while the thread lives, so one 32-bit
 * word can say which thread of which process owns a lock, and
 * `/proc/TID` tells whether that owner is still alive.
 */
import { native } from '../native.js'

/** This thread's kernel tid (the main thread's equals the pid). */
export const selfTid: number = native.gettid()

/** Whether the thread with kernel id `tid` still runs (false once it died). */
export function isAlive(tid: number): boolean {
  return native.threadAlive(tid)
}
