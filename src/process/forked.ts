/**
 * A child forked by the fork server, as the parent sees it.
 *
 * How it works: the child is this process's child (the server forks it with
 * CLONE_PARENT) but not libuv's, so nothing else reaps it: a pidfd polled by
 * the event loop (the addon's watchExit) reports the exit and reaps it — no
 * zombies. Until then the child stays this process's to wait for, so its pid
 * cannot be reused under us: poll/waitSync use the pidfd wait that never
 * reaps, and signals go to the right process.
 */
import { constants } from 'node:os'
import { native } from '../native.js'
import type { ChildHandle } from './base.js'
import { exitCodeWithin } from './exit-wait.js'

export class ForkedChild implements ChildHandle {
  readonly exited: Promise<number>
  #code: number | null = null
  #watch = -1

  constructor(readonly id: number) {
    this.exited = new Promise((resolve) => {
      this.#watch = native.watchExit(id, (code, signal) => {
        this.#code = signal ? -signal : code
        resolve(this.#code)
      })
    })
    if (this.#watch < 0) throw new Error(`cannot watch forked child ${id} (errno ${-this.#watch}): it is not a child of this process`)
  }

  poll(): number | null {
    if (this.#code !== null) return this.#code
    return exitCodeWithin(this.id, 0)
  }

  waitSync(timeoutMs: number | null): number | null {
    if (this.#code !== null) return this.#code
    return exitCodeWithin(this.id, timeoutMs ?? -1)
  }

  signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.#code !== null) return
    try {
      process.kill(this.id, constants.signals[signal])
    } catch {
      // already gone (a zombie waiting to be reaped accepts signals, so this is rare)
    }
  }

  ref(): void {
    if (this.#code === null) native.refExitWatch(this.#watch, true)
  }

  unref(): void {
    if (this.#code === null) native.refExitWatch(this.#watch, false)
  }
}
