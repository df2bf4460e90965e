/**
 * The one door to the native addon (native/*.cc, one file per concern). Every binding goes
 * through here, typed, so the boundary stays thin and replaceable.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { existsSync } from 'node:fs'

/** Outcome of a blocking futex wait: 0 woken, 1 timed out, 2 the word already differed. */
export type WaitResult = 0 | 1 | 2

export interface ExitStatus { code: number; signal: number }

interface Addon {
  /** A new memfd segment; `memfdName` (default 'skein-segment') is what /proc/PID/fd/N shows. */
  createSegment(token: string, size: number, memfdName?: string): SharedArrayBuffer
  attachSegment(token: string, pid: number, fd: number, size: number): SharedArrayBuffer | undefined
  segmentFd(token: string): number
  openNamed(name: string, size: number, create: boolean): SharedArrayBuffer
  unlinkNamed(name: string): number
  futexWait(sab: SharedArrayBuffer, byteOffset: number, expected: number, timeoutMs: number): WaitResult
  futexWake(sab: SharedArrayBuffer, byteOffset: number, count: number): number
  setWakeCallback(fn: (flat: number[]) => void): void
  waitAsync(sab: SharedArrayBuffer, byteOffset: number, expected: number, timeoutMs: number, id: number): void
  /** True: the wait is dropped and will not complete; false: it already completed (its completion is on its way). */
  cancelWait(id: number): boolean
  /** Binds this environment's doorbell as `id` (doorbell.cc); false when it can't (the name is taken). */
  bellOpen(id: number, onRing: () => void): boolean
  /** Polls the doorbell (keeping the loop alive) while `on`. */
  bellListen(on: boolean): void
  /** Rings doorbell `id`; false when nobody holds that name. */
  bellRing(id: number): boolean
  gettid(): number
  threadAlive(tid: number): boolean
  setPdeathsig(signal: number, expectedParentPid: number): boolean
  waitExit(pid: number, timeoutMs: number): ExitStatus | null
  flock(fd: number, op: number): number
  /** Fork server: '' when this process can fork children natively, else why not. */
  prepareFork(): string
  /** Fork server: forks a child of this process's parent (with `own`, of this process: reap it with `reapChild`); 0 in the child. `replaceFds` read EOF in the child. */
  forkChild(replaceFds: number[], own?: boolean): number
  /** Waits for this process's own child `pid`: its exit code, 128 + signal, or -1 if it is no child of this process. */
  reapChild(pid: number): number
  /** Fork server: V8's low-memory notification (full collections, the young generation shrunk, free pages given back). */
  lowMemory(): void
  /** Ends this process at once with `_exit(code)` (a forked child's exit path). */
  exitNow(code: number): never
  /** A close-on-exec duplicate of `fd`, or -errno. */
  dupFd(fd: number): number
  /** Reaps child `pid` when it exits and calls back; a watch id, or -errno. Keeps the loop alive until unref'd. */
  watchExit(pid: number, callback: (code: number, signal: number) => void): number
  refExitWatch(id: number, on: boolean): void
  /** Forked child: calls back when only this hold keeps the loop alive ('beforeExit', then 'exit' if still idle). */
  holdLoop(callback: (phase: 'beforeExit' | 'exit') => void): void
  /** Forked child: the exit code of the at-exit hook (fatal errors). */
  setExitCode(code: number): void
  /** Forked child: registers the at-exit hook that ends it with `_exit`. */
  armExitHook(): void
  /** Forked child: while on, the at-exit hook Node runs before a self-signal lets the signal end the child. */
  signallingSelf(on: boolean): void
  /** Gives a page-aligned range of a segment back to the kernel (reads back as zeros); 0 or errno. */
  discard(sab: SharedArrayBuffer, byteOffset: number, length: number): number
  /** Faults pages in ahead of use (no page faults later): a page-aligned range of a segment, or the whole pages of a range of an ArrayBuffer; 0 or errno. */
  populate(buffer: SharedArrayBuffer | ArrayBuffer, byteOffset: number, length: number): number
  /** Copies `length` bytes at `byteOffset` of a segment to the start of `into` through the segment's memfd (pread): 0, an errno, or -1 when the segment has no memfd. */
  readSegment(sab: SharedArrayBuffer, byteOffset: number, into: ArrayBufferView, length: number): number
  /** Copies the first `length` bytes of `from` to `byteOffset` of a segment through its memfd (pwrite): 0, an errno, or -1 when the segment has no memfd. */
  writeSegment(sab: SharedArrayBuffer, byteOffset: number, from: ArrayBufferView, length: number): number
  /** Reports memory held outside V8's heap on behalf of JS objects (negative to give it back). */
  adjustExternalMemory(bytes: number): void
}

/** The package root: the folder above dist/ (or src/), or two above for a copy compiled into the repo's .tmp/. */
function packageRoot(here: string): string {
  const candidates = [join(here, '..'), join(here, '..', '..')]
  return candidates.find((dir) => existsSync(join(dir, 'binding.gyp'))) ?? candidates[0]!
}

// node-gyp-build picks build/Release (a build from source) first, then the
// prebuilt binary in prebuilds/<platform>-<arch>/ that matches this Node's
// ABI and libc (PREBUILDS_ONLY=1 skips build/).
function load(): Addon {
  const require = createRequire(import.meta.url)
  const root = packageRoot(dirname(fileURLToPath(import.meta.url)))
  const resolve = (require('node-gyp-build') as { resolve(dir: string): string }).resolve
  const build = `Node ${process.versions.node} (ABI ${process.versions.modules}) on linux-${process.arch}`
  const fix = 'build it from source: install g++, make and python3, then run `npm rebuild skein` (where npm blocks dependencies\' install scripts, first `npm install-scripts approve skein`; in a checkout of skein, `npm run build`)'
  let path: string
  try {
    path = resolve(root)
  } catch (error) {
    throw new Error(`skein has no native addon for ${build} in ${root} (prebuilt binaries cover Node 20, 22 and 24 on linux-x64 and linux-arm64 with glibc): ${fix}`, { cause: error })
  }
  try {
    return require(path) as Addon
  } catch (error) {
    throw new Error(`skein's native addon ${path} does not load into ${build} (${(error as Error).message.split('\n')[0]}): ${fix}`, { cause: error })
  }
}

/** The loaded addon. */
export const native: Addon = load()

/** flock(2) operations. */
export const LOCK_EX = 2
export const LOCK_NB = 4
export const LOCK_UN = 8
