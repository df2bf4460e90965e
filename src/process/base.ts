/**
 * The lifecycle shared by `Process` and `Thread` (Python's BaseProcess /
 * Thread share the same shape): state guard, start/join/joinSync, exit code,
 * the 'exit' event, and the rebuild of a subclass instance in the child.
 *
 * How it works: everything that differs — how a child starts, how it is
 * signalled, how joinSync blocks — sits behind {@link Backend} (launch) and
 * {@link ChildHandle} (one started child). Internal state lives under one
 * symbol key, so a subclass's own enumerable fields are exactly the user's
 * fields: those are cloned to the child, where the instance is rebuilt with
 * `Object.create(Class.prototype)` (no constructor runs, as Python's
 * unpickling does not run `__init__`) and `run()` is called.
 */
import { EventEmitter } from 'node:events'
import { assertNotBootstrapping } from '../runtime/context.js'
import { prepareJob, type Job } from './job.js'
import { checkTimeout } from '../sync/options.js'
import { StateError } from '../errors.js'
import { AsyncWait, SyncWait, type Observed } from '../observe/waiting.js'
import { KIND, OP } from '../observe/layout.js'

/** One started child, as its backend sees it. */
export interface ChildHandle {
  /** pid, or threadId for threads. */
  readonly id: number
  /** Resolves with the exit code (-N for signal N) when the child has exited. */
  readonly exited: Promise<number>
  /** The exit code if the child already exited, without blocking; else null. */
  poll(): number | null
  /** Blocks the calling thread until exit or timeout (ms; null: forever); the exit code or null. */
  waitSync(timeoutMs: number | null): number | null
  signal(signal: 'SIGTERM' | 'SIGKILL'): void
  /** Keep the event loop alive for this child (ref) or not (unref). */
  ref(): void
  unref(): void
}

/** How one kind of child (process, thread) is started. */
export interface Backend {
  readonly kind: 'Process' | 'Thread'
  /** Argument classes passed as handles rather than cloned, and classes refused with a reason. */
  readonly handles: { types: readonly Function[]; refuse: Array<[Function, string]> }
  /** Throws if `value` cannot cross to this kind of child. */
  cloneCheck(value: unknown): void
  /** Starts the child; resolves once it runs the target (rejects if it could not load it). */
  launch(job: Job, handles: object[], options: object): Promise<ChildHandle>
  /** Called when a child starts and when it is known to have exited. */
  track(owner: Runnable, alive: boolean): void
}

/** Options common to Process and Thread. */
export interface RunnableOptions {
  target?: (...args: never[]) => unknown
  args?: readonly unknown[]
  name?: string
  daemon?: boolean
}

type Status = 'initial' | 'starting' | 'started' | 'failed' | 'closed' | 'self'

interface State {
  backend: Backend
  name: string
  daemon: boolean
  target: Function | undefined
  args: readonly unknown[]
  options: object
  status: Status
  starting?: Promise<void>
  child?: ChildHandle
  exitCode: number | null
  pendingSignal?: 'SIGTERM' | 'SIGKILL'
  events: EventEmitter
}

/** Internal: the state slot of every Process/Thread. */
export const kState = Symbol('skein.runnable')

/** The common base of Process and Thread. Not exported from the package. */
export abstract class Runnable {
  /** @internal */
  declare [kState]: State

  protected constructor(backend: Backend, opts: RunnableOptions, defaultName: () => string, options: object) {
    if (opts.target !== undefined && typeof opts.target !== 'function') {
      throw new TypeError(`options.target must be a function exported from its module, got ${typeof opts.target}`)
    }
    if (opts.args !== undefined && !Array.isArray(opts.args)) throw new TypeError('options.args must be an array of arguments for the target')
    if (opts.name !== undefined && typeof opts.name !== 'string') throw new TypeError('options.name must be a string')
    Object.defineProperty(this, kState, {
      enumerable: false,
      writable: true,
      value: {
        backend, options, name: opts.name ?? defaultName(), daemon: opts.daemon ?? false, target: opts.target,
        args: opts.args ?? [], status: 'initial', exitCode: null, events: new EventEmitter(),
      } satisfies State,
    })
  }

  /** What the child runs; calls the target with the arguments. Override it in a subclass. */
  run(): unknown {
    const s = this[kState]
    return s.target?.(...s.args)
  }

  get name(): string { return this[kState].name }
  set name(value: string) { this[kState].name = String(value) }

  /** Daemon children are terminated when their parent exits; set before start(). */
  get daemon(): boolean { return this[kState].daemon }
  set daemon(value: boolean) {
    if (this[kState].status !== 'initial') throw new StateError(`cannot set daemon of ${this.#label()} after start()`)
    this[kState].daemon = Boolean(value)
  }

  /** Exit code: null while running (or never started); -N when killed by signal N. */
  get exitCode(): number | null { return this[kState].exitCode }

  /**
   * Starts the child. Lifecycle misuse (started twice, closed, started during
   * a child's bootstrap) throws synchronously; an unlocatable target or an
   * uncloneable argument rejects with a TypeError before anything is spawned.
   * Resolves once the child runs its target.
   */
  start(): Promise<void> {
    const s = this[kState]
    assertNotBootstrapping()
    if (s.status === 'closed') throw new StateError(`${this.#label()} is closed: create a new ${s.backend.kind} to run again`)
    if (s.status !== 'initial') throw new StateError(`start() called twice on ${this.#label()}: a ${s.backend.kind} runs once — create a new one to run again`)
    s.status = 'starting'
    s.starting = this.#launch()
    return s.starting
  }

  async #launch(): Promise<void> {
    const s = this[kState]
    try {
      const { job, handles } = await prepareJob({
        kind: s.backend.kind, name: s.name, daemon: s.daemon, instance: this, base: baseOf(this), target: s.target,
        args: s.args, handles: s.backend.handles, cloneCheck: (v) => s.backend.cloneCheck(v),
      })
      const child = await s.backend.launch(job, handles, s.options)
      s.child = child
      s.status = 'started'
      s.backend.track(this, true)
      void child.exited.then((code) => this.#exited(code))
      if (s.pendingSignal) child.signal(s.pendingSignal)
    } catch (error) {
      s.status = 'failed'
      throw error
    }
  }

  #exited(code: number): void {
    const s = this[kState]
    s.exitCode = code
    s.backend.track(this, false)
    s.events.emit('exit', code)
  }

  /** Waits until the child exits or `timeout` ms pass; check isAlive() after a timeout. */
  join(timeout?: number): Promise<void> {
    let ms: number | undefined
    try {
      ms = checkTimeout(timeout, `${this.constructor.name}.join(timeout)`)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#join(this.#joinable('join'), ms)
  }

  async #join(s: State, timeout: number | undefined): Promise<void> {
    if (s.status === 'starting') await s.starting!.catch(() => {})
    const child = s.child
    if (child === undefined || s.exitCode !== null) return
    child.ref()
    let timer: NodeJS.Timeout | undefined
    // Published in the registry while it waits; fails with a DeadlockError if it closes a cycle under 'throw'.
    // A child that has ended already is awaited unpublished: its exit report (a thread's worker given
    // back, the exit code recorded) is at most a message away, and it can be in no cycle.
    const published = child.poll() !== null ? undefined : new AsyncWait(undefined, this.#joined(s, child), true, undefined)
    let onDeadlock: (() => void) | undefined
    try {
      const late = timeout === undefined ? new Promise<void>(() => {}) : new Promise<void>((r) => { timer = setTimeout(r, Math.max(0, timeout)) })
      const deadlock = new Promise<never>((_, reject) => {
        onDeadlock = () => reject(published!.signal!.reason)
        published?.signal?.addEventListener('abort', onDeadlock, { once: true })
      })
      await Promise.race([child.exited, late, deadlock])
    } finally {
      if (onDeadlock !== undefined) published?.signal?.removeEventListener('abort', onDeadlock)
      published?.end()
      clearTimeout(timer)
      if (s.daemon) child.unref()
    }
  }

  /** What the registry shows a join of `child` as (observe/): the thread or process joined, by its tid. */
  #joined(s: State, child: ChildHandle): Observed {
    const kind = s.backend.kind === 'Process' ? KIND.Process : KIND.Thread
    const tid = s.backend.kind === 'Process' ? child.id : (child as { nativeId?: number }).nativeId ?? 0
    return { kind, offset: 0, name: s.name, op: OP.join, target: tid }
  }

  /** Blocks the calling thread until the child exits or `timeout` ms pass. */
  joinSync(timeout?: number): void {
    checkTimeout(timeout, `${this.constructor.name}.joinSync(timeout)`)
    const s = this.#joinable('joinSync')
    if (s.status === 'starting') {
      throw new StateError(`joinSync() called on ${this.#label()} before start() finished: await p.start() first (joinSync blocks the thread, so it cannot wait for the start to complete)`)
    }
    const child = s.child
    if (child === undefined || s.exitCode !== null) return
    let code = child.poll()
    if (code === null) {
      // Published while it blocks; a due deadlock check runs between slices (throws DeadlockError under 'throw').
      const published = new SyncWait(undefined, this.#joined(s, child))
      const deadline = timeout === undefined ? null : performance.now() + Math.max(0, timeout)
      try {
        for (;;) {
          const until = published.clamp(deadline)
          code = child.waitSync(until === null ? null : Math.max(0, until - performance.now()))
          if (code !== null || (deadline !== null && performance.now() >= deadline)) break
          published.afterSleep()
        }
      } finally {
        published.end()
      }
    }
    if (code !== null) s.exitCode = code
  }

  /** True from start() until the child has exited. */
  isAlive(): boolean {
    const s = this[kState]
    if (s.status === 'self') return true
    if (s.status === 'starting') return true
    if (s.status !== 'started' || s.exitCode !== null) return false
    const code = s.child!.poll()
    if (code !== null) s.exitCode = code
    return code === null
  }

  /** Sends SIGTERM (processes) / stops the thread. */
  terminate(): void { this.#signal('SIGTERM') }

  /** Sends SIGKILL (processes) / stops the thread. */
  kill(): void { this.#signal('SIGKILL') }

  /** Releases the child's resources; throws while it still runs. */
  close(): void {
    const s = this[kState]
    if (s.status === 'starting' || (s.status === 'started' && this.isAlive())) {
      throw new StateError(`close() called while ${this.#label()} is still running: join() or terminate() it first`)
    }
    s.status = 'closed'
    s.child = undefined
  }

  /** Listens for the child's exit; the listener gets the exit code. */
  on(event: 'exit', listener: (code: number) => void): this {
    this[kState].events.on(event, listener)
    return this
  }

  once(event: 'exit', listener: (code: number) => void): this {
    this[kState].events.once(event, listener)
    return this
  }

  off(event: 'exit', listener: (code: number) => void): this {
    this[kState].events.off(event, listener)
    return this
  }

  /** @internal the started child, if any. */
  protected get child(): ChildHandle | undefined { return this[kState].child }

  /** @internal whether this instance is the rebuilt one inside its own child. */
  protected get isSelf(): boolean { return this[kState].status === 'self' }

  #signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    const s = this[kState]
    if (s.status === 'initial') throw new StateError(`${signal === 'SIGTERM' ? 'terminate' : 'kill'}() called on ${this.#label()}, which was never started`)
    if (s.status === 'starting') s.pendingSignal = signal
    else if (s.status === 'started' && s.exitCode === null) s.child!.signal(signal)
  }

  #joinable(method: string): State {
    const s = this[kState]
    if (s.status === 'initial') throw new StateError(`${method}() called on ${this.#label()}, which was never started: call start() first`)
    if (s.status === 'closed') throw new StateError(`${method}() called on ${this.#label()} after close()`)
    return s
  }

  #label(): string {
    return `${this[kState].backend.kind} ${this[kState].name}`
  }
}

const bases = new Set<Function>()

/** Registers Process / Thread as bases (their direct instances ship no class). */
export function registerBase(base: Function): void {
  bases.add(base)
}

function baseOf(instance: object): Function {
  let proto = Object.getPrototypeOf(instance)
  while (proto !== null) {
    if (bases.has(proto.constructor)) return proto.constructor
    proto = Object.getPrototypeOf(proto)
  }
  return Runnable
}

/**
 * Rebuilds a Process/Thread instance inside its child: no constructor runs;
 * fields are assigned; `run()` then does the work.
 */
export function rebuild(cls: Function, backend: Backend, job: Job, target: Function | undefined, args: unknown[], fields: Record<string, unknown>): Runnable {
  const instance = Object.create(cls.prototype) as Runnable
  Object.defineProperty(instance, kState, {
    enumerable: false,
    writable: true,
    value: {
      backend, options: {}, name: job.name, daemon: job.daemon, target, args, status: 'self', exitCode: null, events: new EventEmitter(),
    } satisfies State,
  })
  Object.assign(instance, fields)
  return instance
}
