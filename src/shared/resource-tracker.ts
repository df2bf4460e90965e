/**
 * The resource tracker: unlinks named shared memory that this thread created
 * and never unlinked, when the thread exits, with a warning — as Python's
 * `multiprocessing.resource_tracker` does at shutdown.
 *
 * How it works: creating a tracked `SharedMemory` adds its name to a set;
 * `unlink()` removes it; a `process.on('exit')` hook (installed once) unlinks
 * what is left. The hook runs on a normal exit, `process.exit()`, and an
 * uncaught exception. For deaths no hook sees (SIGKILL, an unhandled SIGTERM),
 * a tiny watcher process — `awk`, started on the first tracked segment —
 * keeps the same set, told over a pipe ("+name" / "-name" lines); when the
 * pipe closes, which the kernel does however this process dies, it unlinks
 * whatever is left. So, like Python's separate tracker process, a named
 * segment survives no creator death. In a worker thread the hook runs when
 * that thread ends.
 * Anonymous segments (everything but SharedMemory) never leak: the kernel
 * frees them with their last holder.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { native } from '../native.js'

const tracked = new Set<string>()
let hooked = false
let watcher: ChildProcess | undefined

/** Names the watcher can handle safely (it builds a shell-free rm path from them). */
const WATCHABLE = /^[A-Za-z0-9._-]+$/

// awk keeps the set; at end of input (the creator died or exited) it unlinks the rest.
const WATCH_SCRIPT = '/^\\+/{a[substr($0,2)]=1} /^-/{delete a[substr($0,2)]} END{for(n in a) system("rm -f /dev/shm/" n)}'

/** Starts tracking a segment this thread created. */
export function register(name: string): void {
  tracked.add(name)
  if (!hooked) {
    hooked = true
    process.on('exit', cleanup)
  }
  tell(`+${name}`)
}

/** Stops tracking a segment (it was unlinked). */
export function unregister(name: string): void {
  if (tracked.delete(name)) tell(`-${name}`)
}

function tell(line: string): void {
  if (!WATCHABLE.test(line.slice(1))) return
  if (watcher === undefined) {
    try {
      // detached: a Ctrl-C to our process group must not kill the watcher before it cleans up.
      watcher = spawn('awk', [WATCH_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
      watcher.on('error', () => {}) // no awk: the exit hook still covers ordinary exits
      watcher.stdin!.on('error', () => {})
      watcher.unref()
      ;(watcher.stdin as unknown as { unref(): void }).unref()
    } catch {
      return
    }
  }
  watcher.stdin!.write(`${line}\n`)
}

function cleanup(): void {
  if (tracked.size === 0) return
  const names = [...tracked]
  tracked.clear()
  for (const name of names) native.unlinkNamed(name)
  // Synchronous on files and pipes (and TTYs on Linux), so it is seen even at exit.
  console.error(`skein resource_tracker: there appear to be ${names.length} leaked shared_memory objects to clean up at shutdown: ${names.map((n) => `'${n}'`).join(', ')}. Call unlink() on the SharedMemory that created them (or pass { track: false })`)
}
