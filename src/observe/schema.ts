/**
 * The JSON that `skein top --once --json` prints, and that the web view and
 * `snapshot()` return: every process and thread using skein, what each holds
 * and waits for, queues, pools, and the deadlocks among them.
 *
 * @example
 * import { snapshot, type Snapshot } from 'skein'
 * const s: Snapshot = snapshot()
 * for (const d of s.deadlocks) console.log(d.cycle.map((m) => `${m.name} waits for ${m.waitsFor.name}`).join(', '))
 */

/** Something a thread holds or waits for, by kind and name. */
export interface ObjectRef {
  /** 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Queue', 'Thread', 'Process', … */
  kind: string
  /** The object's `name`, or `Kind@file:line` of the code that created it. */
  name: string
}

/** A thread, as named in a wait or a cycle. */
export interface ThreadRef {
  pid: number
  tid: number
  /** The thread's name (`MainThread`, a Thread's name, `Pool-1 worker 2`, …). */
  name: string
}

/** A lock or semaphore permits held. */
export interface HoldInfo extends ObjectRef {
  /** Semaphores: how many permits this thread holds. */
  permits?: number
  /** The holder is a Thread whose target already returned: the next acquirer recovers it. */
  stale?: boolean
}

/** What a thread (or one task of it) is asleep on. */
export interface WaitInfo extends ObjectRef {
  /** 'acquire', 'wait', 'get', 'put', 'join', 'recv', 'send'. */
  op: string
  /** 'sync': the whole thread blocks (`acquireSync`, `joinSync`…); 'async': one task awaits. */
  form: 'sync' | 'async'
  /** Since when, epoch ms. */
  since: number
  /** The waiting code's `file:line`, when recorded. */
  line?: string
  /** Who could end the wait: a lock's holder, a semaphore's permit holders, the thread joined. */
  heldBy?: ThreadRef[]
  /** A lock held by a thread that has ended (or whose Thread returned): the waiter will recover it. */
  heldByGone?: { tid: number }
}

/** One thread using skein. */
export interface ThreadSnapshot extends ThreadRef {
  /** 'main', 'process', 'thread', 'pool worker', 'fork server', 'idle worker'. */
  role: string
  /** The thread that started this one (0 for a process's main thread). */
  parentTid: number
  /** Epoch ms. */
  start: number
  /** CPU time used, ms (user + system). */
  cpuMs: number | null
  holds: HoldInfo[]
  waits: WaitInfo[]
  /** Waits that did not fit in the registry (more than 256 tasks asleep at once). */
  moreWaits?: number
}

/** A queue or a pipe direction, with its depth. */
export interface QueueInfo extends ObjectRef {
  /** Items in it now. */
  size: number
  /** 0: unbounded. */
  maxsize: number
  closed: boolean
  /** Threads and processes asleep in get / put right now. */
  getters: number
  putters: number
}

/** A pool's workers and tasks. */
export interface PoolInfo extends ObjectRef {
  workers: number
  busy: number
  idle: number
  /** Tasks submitted and not yet sent to a worker. */
  backlog: number
  done: number
  failed: number
}

/** A process using skein and its threads. */
export interface ProcessSnapshot {
  pid: number
  ppid: number
  name: string
  /** The main thread's role: 'main', 'process', 'pool worker', 'fork server'. */
  role: string
  start: number
  cpuMs: number | null
  threads: ThreadSnapshot[]
  queues: QueueInfo[]
  pools: PoolInfo[]
}

/** One member of a deadlock cycle: it holds what the previous member waits for, and waits for what the next holds. */
export interface CycleMember extends ThreadRef {
  holds: ObjectRef[]
  waitsFor: ObjectRef & { op: string; form: 'sync' | 'async'; since: number; line?: string }
}

/** A cycle in the wait-for graph: nobody in it can move again. */
export interface Deadlock {
  cycle: CycleMember[]
  /** False when an async wait is in the cycle: skein tells threads apart, not tasks (see docs/observability.md). */
  certain: boolean
}

/** Everything `skein top` shows. */
export interface Snapshot {
  version: 1
  /** When it was taken, epoch ms. */
  time: number
  processes: ProcessSnapshot[]
  deadlocks: Deadlock[]
}
