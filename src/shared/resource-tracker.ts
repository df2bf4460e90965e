/**
 * The resource tracker: unlinks named shared memory that this thread created
 * and never unlinked, when the thread exits, with a warning — as Python's
 * `multiprocessing.resource_tracker` does at shutdown.
 *
 * How it works: creating a tracked `SharedMemory` adds its name to a set;
 * `unlink()` removes it; a `process.on('exit')` hook (installed once) unlinks
 * what is left. The hook runs on a normal exit, `process.exit()`, and an
 * uncaught exception. It cannot run when the process is killed by a signal
 * it does not handle (SIGKILL always; SIGTERM and SIGINT unless the program
 * installs a handler): such a creator leaks its named segments in /dev/shm
 * until someone unlinks them or the machine reboots. (Python's tracker is a
 * separate process, so it also survives a lone SIGKILL of the creator; ours
 * lives in-process.) In a worker thread the hook runs when that thread ends.
 * Anonymous segments (everything but SharedMemory) never leak: the kernel
 * frees them with their last holder.
 */
import { native } from '../native.js'

const tracked = new Set<string>()
let hooked = false

/** Starts tracking a segment this thread created. */
export function register(name: string): void {
  tracked.add(name)
  if (!hooked) {
    hooked = true
    process.on('exit', cleanup)
  }
}

/** Stops tracking a segment (it was unlinked). */
export function unregister(name: string): void {
  tracked.delete(name)
}

function cleanup(): void {
  if (tracked.size === 0) return
  const names = [...tracked]
  tracked.clear()
  for (const name of names) native.unlinkNamed(name)
  // Synchronous on files and pipes (and TTYs on Linux), so it is seen even at exit.
  console.error(`skein resource_tracker: there appear to be ${names.length} leaked shared_memory objects to clean up at shutdown: ${names.map((n) => `'${n}'`).join(', ')}. Call unlink() on the SharedMemory that created them (or pass { track: false })`)
}
