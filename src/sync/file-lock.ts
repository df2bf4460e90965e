/**
 * FileLock: a lock between unrelated processes (two CLI runs), backed by the
 * kernel's flock(2) on a file.
 *
 * How it works. The lock file is opened once and kept open; acquire is
 * `flock(LOCK_EX | LOCK_NB)` on that descriptor. flock belongs to the open
 * file description, so the kernel drops it the moment the holder's process
 * dies, however it dies. Within one thread, tasks queue on a local `Lock`
 * first (a second flock on the same descriptor would succeed). While another
 * process holds the file, an async waiter retries with a backoff capped at
 * `POLL_MAX_MS` (the event loop never blocks); a blocking waiter sleeps in
 * the kernel.
 */
import { openSync, closeSync } from 'node:fs'
import { resolve } from 'node:path'
import { native, LOCK_EX, LOCK_NB, LOCK_UN } from '../native.js'
import { kDescribe, registerPlainKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { claimSlot } from '../shm/arena.js'
import { Lock } from './lock.js'
import { withHeld, withHeldSync, holdOf, type LockHold } from './held.js'
import { describeFileHolder } from '../observe/holder.js'
import { AsyncWait, SyncWait, type Observed } from '../observe/waiting.js'
import { KIND, OP } from '../observe/layout.js'
import { NAME_MAX } from '../observe/names.js'
import { deadlineFrom, expired, NOWAIT, type BlockingOptions } from './options.js'
import { SkeinError } from '../errors.js'
import { WaitWord } from './wait.js'

const EWOULDBLOCK = 11
const POLL_MAX_MS = 16

/**
 * An exclusive lock on a file, shared by any processes that open the same path.
 *
 * @example
 * import { FileLock } from 'skein'
 * const lock = new FileLock('/tmp/tickets.lock')
 * await lock.withLock(async () => { console.log('no other process is in here') })
 * lock.close()
 *
 * Semantics: the same interface as `Lock`. The file is created if missing and
 * never deleted (deleting a lock file while others use it breaks flock-based
 * locking). It is created with mode `0o600` (owner only) unless you pass
 * `{ mode }`: any user who can open the file can flock it, so a file other
 * users may read would let any of them hold the lock for ever. Pass
 * `{ mode: 0o660 }` (or `0o644`) when processes of several users must share
 * it. An existing file keeps its mode. A holder that dies releases the lock at once (kernel-backed).
 * `close()` releases and closes the file; using the lock after that throws.
 */
export class FileLock implements Shareable {
  readonly path: string
  #fd: number
  #held = false
  readonly #local: Lock
  // A word nobody changes, never shared: sleeping on it is a pause between
  // tries that goes through the wait core like every other sleep.
  readonly #pauseKeeper: object
  readonly #pause: WaitWord

  /**
   * @param path the lock file; created if missing.
   * @param options `mode`: the permission bits of a file this creates (default `0o600`, before the umask).
   */
  constructor(path: string, options: { mode?: number } = {}) {
    if (typeof path !== 'string' || path === '') throw new TypeError('FileLock(path): path must be a non-empty string naming the lock file')
    const mode = typeof options === 'object' && options !== null ? options.mode ?? 0o600 : options
    if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) {
      throw new TypeError(`FileLock(path, { mode }): mode must be permission bits from 0 to 0o777 such as 0o600; got ${String(mode)}`)
    }
    this.path = resolve(path)
    this.#local = new Lock({ name: this.#observed.name }) // tasks of this thread queue on it
    const { segment, offset, keeper } = claimSlot(12)
    this.#pauseKeeper = keeper
    this.#pause = new WaitWord(segment, offset >> 2, (offset >> 2) + 1, (offset >> 2) + 2)
    try {
      this.#fd = openSync(this.path, 'a+', mode | 0) // -0 passes the check above, and Node 20's openSync aborts the process on it
    } catch (error) {
      throw new SkeinError(`FileLock: cannot open lock file ${this.path}: ${(error as Error).message}; check the folder exists and is writable`, (error as { code?: string }).code ?? 'ERR_SKEIN_FILE_LOCK', { cause: error })
    }
  }

  /** Whether this FileLock object holds the lock. */
  locked(): boolean {
    return this.#held
  }

  /** Acquires without blocking the event loop; false if not acquired in time. */
  async acquire(opts?: BlockingOptions): Promise<boolean> {
    const fd = this.#open()
    const deadline = deadlineFrom(opts, 'FileLock.acquire()')
    const signal = opts?.signal
    if (!(await this.#local.acquire(opts))) return false
    let published: AsyncWait | undefined // in the registry from the first pause on
    try {
      for (let pause = 1; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
        if (this.#try(fd)) return true
        if (expired(deadline)) break
        published ??= new AsyncWait(undefined, this.#observed, false, signal)
        await this.#pause.sleep(0, pauseUntil(pause, deadline), signal) // rejects if aborted
      }
    } catch (error) {
      this.#local.release()
      throw error
    } finally {
      published?.end()
    }
    this.#local.release()
    return false
  }

  /** Acquires, blocking this thread; false if not acquired in time. */
  acquireSync(opts?: BlockingOptions): boolean {
    const fd = this.#open()
    const deadline = deadlineFrom(opts, 'FileLock.acquireSync()')
    if (!this.#local.acquireSync(opts)) return false
    if (this.#try(fd)) return true
    const published = new SyncWait(undefined, this.#observed) // in the registry while it waits
    try {
      if (deadline === null) {
        const err = native.flock(fd, LOCK_EX)
        if (err !== 0) {
          this.#local.release()
          throw new SkeinError(`FileLock: flock failed on ${this.path} (errno ${err})`, 'ERR_SKEIN_FILE_LOCK')
        }
        this.#held = true
        return true
      }
      for (let pause = 1; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
        if (this.#try(fd)) return true
        if (expired(deadline)) break
        this.#pause.sleepSync(0, pauseUntil(pause, deadline))
      }
    } finally {
      published.end()
    }
    this.#local.release()
    return false
  }

  /** Releases the lock. Throws RangeError if this object does not hold it. */
  release(): void {
    const fd = this.#open()
    if (!this.#held) throw new RangeError(`FileLock.release(): ${this.path} is not held by this FileLock; release only after a successful acquire`)
    this.#held = false
    native.flock(fd, LOCK_UN)
    this.#local.release()
  }

  /** Runs `fn` holding the lock; releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>, opts?: BlockingOptions): Promise<T> {
    return withHeld(this, `FileLock(${this.path})`, fn, opts)
  }

  /** Like `withLock`, blocking this thread while it waits. */
  withLockSync<T>(fn: () => T, opts?: BlockingOptions): T {
    return withHeldSync(this, `FileLock(${this.path})`, fn, opts)
  }

  /** Acquires and returns a hold for `await using` / `using`. */
  hold(opts?: BlockingOptions): Promise<LockHold> {
    return holdOf(this, `FileLock(${this.path})`, opts)
  }

  /** What the registry shows a waiter on this file as. */
  get #observed(): Observed {
    return { kind: KIND.FileLock, offset: 0, name: this.path.length > NAME_MAX ? `…${this.path.slice(1 - NAME_MAX)}` : this.path, op: OP.acquire }
  }

  /** @internal Who holds the file's lock, in words when asked (a timed-out withLock/hold says it). */
  culprit(): () => string {
    return () => describeFileHolder(this.path)
  }

  /** Releases the lock if held and closes the file. */
  close(): void {
    if (this.#fd < 0) return
    if (this.#held) this.release()
    closeSync(this.#fd)
    this.#fd = -1
  }

  [kDescribe](): HandleDescriptor {
    return { kind: 'FileLock', path: this.path }
  }

  #try(fd: number): boolean {
    const err = native.flock(fd, LOCK_EX | LOCK_NB)
    if (err === 0) {
      this.#held = true
      return true
    }
    if (err !== EWOULDBLOCK) throw new SkeinError(`FileLock: flock failed on ${this.path} (errno ${err})`, 'ERR_SKEIN_FILE_LOCK')
    return false
  }

  #open(): number {
    if (this.#fd < 0) throw new SkeinError(`FileLock(${this.path}) is closed; create a new FileLock to lock the file again`, 'ERR_SKEIN_CLOSED')
    return this.#fd
  }
}

/** When a pause of `ms` between tries ends: never past the deadline. */
function pauseUntil(ms: number, deadline: number | null): number {
  const end = performance.now() + ms
  return deadline === null || deadline === NOWAIT ? end : Math.min(end, deadline)
}

registerPlainKind('FileLock', (d) => new FileLock(d.path as string))
