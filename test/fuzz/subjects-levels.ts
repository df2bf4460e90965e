// Fuzz subjects: processes, threads and timers, the pools and executors,
// and the task level (spawn, TaskGroup, TaskPool, sleep, withTimeout, joinAll).
import { joinAll, Pool, Process, sleep, spawn, Task, TaskGroup, TaskPool, Thread, ThreadPool, ThreadPoolExecutor, Timer, withTimeout, type BasePool } from '../../src/index.js'
import { identity, noop, square } from '../fixtures/pool-targets.js'
import { options, UserError, value, type Random } from './random.js'
import type { Subject } from './harness.js'

const target = (r: Random): unknown => r.pick([noop, identity, square, () => 1, 'noop', null])
const quick = (r: Random): unknown => r.pick([() => 1, async () => 2, (_s: AbortSignal, x: unknown) => x, () => { throw new UserError('task') }, 'x', null])
const ms = (r: Random): unknown => r.pick([0, 1, 5, -1, NaN, 'x', undefined, Infinity])

/** Process and Thread: one lifecycle. Few calls: each start is a real child. */
function runnableSubject(name: string, Kind: typeof Process | typeof Thread): Subject<Process | Thread> {
  return {
    name,
    calls: 40,
    hangMs: 60_000,
    make: () => new Kind({ target: noop }),
    construct: (a) => new (Kind as new (...x: unknown[]) => unknown)(...a),
    plausibleNew: (r) => [{ target: target(r), args: r.chance(0.5) ? [value(r)] : [1], name: r.pick(['n', 5, undefined]), daemon: r.pick([true, false, 'x']) }],
    methods: [
      { name: 'start' },
      { name: 'join', plausible: (r) => [ms(r)] },
      { name: 'joinSync', plausible: (r) => [r.pick([0, 5, -1, NaN, 'x'])] },
      { name: 'isAlive' }, { name: 'close' },
      { name: 'daemon=', plausible: (r) => [r.pick([true, false, 'x'])], call: (o, a) => { o.daemon = a[0] as boolean } },
      { name: 'on', plausible: (r) => [r.pick(['exit', 'x']), r.pick([() => {}, 'x'])] },
    ],
    state: (o) => [o.exitCode, o.daemon, o.name],
    sanity(o) {
      o.isAlive()
      if (typeof o.name !== 'string') throw new Error('no name')
    },
    async dispose(o) {
      if (!(o instanceof Process || o instanceof Thread)) return
      try {
        if (o.isAlive()) await o.join(10_000)
      } catch { /* never started */ }
    },
  }
}

const timer: Subject<Timer> = {
  name: 'Timer',
  calls: 30,
  hangMs: 60_000,
  make: () => new Timer(1, noop),
  construct: (a) => new Timer(...(a as [number, () => void])),
  plausibleNew: (r) => [ms(r), target(r), r.pick([[], [1], 'x'])],
  methods: [{ name: 'start' }, { name: 'cancel' }, { name: 'join', plausible: (r) => [ms(r)] }, { name: 'isAlive' }],
  state: (o) => o.exitCode,
  sanity(o) { o.isAlive() },
  async dispose(o) {
    if (!(o instanceof Timer)) return
    o.cancel()
    try {
      if (o.isAlive()) await o.join(10_000)
    } catch { /* never started */ }
  },
}

/** Pool and ThreadPool: one interface over workers. */
function poolSubject(name: string, make: () => BasePool, build: (a: unknown[]) => BasePool, calls: number): Subject<BasePool> {
  const collect = async (it: AsyncIterable<unknown>) => { const out = []; for await (const x of it) out.push(x); return out }
  const items = (r: Random): unknown => r.pick([[1, 2, 3], [], 'ab', 5, [[1, 2]], new Set([4])])
  return {
    name,
    calls,
    hangMs: 60_000,
    make,
    construct: build,
    plausibleNew: (r) => [{ [name === 'Pool' ? 'processes' : 'threads']: r.pick([1, 0, -1, 1.5, 2 ** 31, 1e6, 'x']), maxTasksPerChild: r.pick([undefined, 0, 1, -1]), initializer: r.pick([undefined, noop, 'x']) }],
    methods: [
      { name: 'apply', plausible: (r) => [target(r), r.pick([[2], [], 'x', [value(r)]])] },
      { name: 'applyAsync', plausible: (r) => [target(r), [2], r.pick([{}, { callback: () => {} }, { callback: 'x' }])], call: (o, a) => (o.applyAsync as (...x: unknown[]) => { get(): Promise<unknown> })(...a).get() },
      { name: 'map', plausible: (r) => [target(r), items(r), r.pick([{}, { chunksize: r.pick([1, 0, -1, 'x']) }])] },
      { name: 'starmap', plausible: (r) => [target(r), r.pick([[[1, 2]], [1], 'x'])] },
      { name: 'imap', plausible: (r) => [target(r), items(r), r.pick([{}, { chunksize: 2 }, { settled: true }])], call: (o, a) => collect((o.imap as (...x: unknown[]) => AsyncIterable<unknown>)(...a)) },
      { name: 'close' }, { name: 'terminate' },
    ],
    state: () => 0,
    async sanity(o) {
      try {
        if ((await o.apply(square, [3])) !== 9) throw new Error('square(3) is not 9')
      } catch (error) {
        if (!/closed|terminated/i.test((error as Error).message)) throw error
      }
    },
    dispose: (o) => { if (o !== null && typeof o === 'object' && 'terminate' in o) return (o as BasePool).terminate() },
  }
}

const executor: Subject<ThreadPoolExecutor> = {
  name: 'ThreadPoolExecutor',
  calls: 60,
  hangMs: 60_000,
  make: () => new ThreadPoolExecutor({ maxWorkers: 1 }),
  construct: (a) => new ThreadPoolExecutor(...(a as [])),
  plausibleNew: (r) => [{ maxWorkers: r.pick([1, 0, -1, 'x', 1.5]) }],
  methods: [
    { name: 'submit', plausible: (r) => [target(r), 4], call: (o, a) => (o.submit as (...x: unknown[]) => { result(t?: number): Promise<unknown> })(...a).result(10_000) },
    { name: 'map', plausible: (r) => [target(r), r.pick([[1, 2], 'x', 5])], call: async (o, a) => { const out = []; for await (const x of (o.map as (...x: unknown[]) => AsyncIterable<unknown>)(...a)) out.push(x); return out } },
    { name: 'shutdown', plausible: (r) => [r.pick([{}, { wait: false }, { cancelFutures: true }, 'x'])] },
  ],
  state: () => 0,
  async sanity(o) {
    try {
      if ((await o.submit(square, 4).result(10_000)) !== 16) throw new Error('square(4) is not 16')
    } catch (error) {
      if (!/shut ?down|closed|terminated/i.test((error as Error).message)) throw error
    }
  },
  dispose: (o) => (o instanceof ThreadPoolExecutor ? o.shutdown() : undefined),
}

const group: Subject<TaskGroup> = {
  name: 'TaskGroup',
  calls: 150,
  make: () => new TaskGroup(),
  construct: (a) => new TaskGroup(...(a as [])),
  plausibleNew: (r) => [r.pick([{}, { signal: AbortSignal.abort() }, { signal: 'x' }, 5])],
  methods: [
    { name: 'spawn', plausible: (r) => [quick(r), value(r)] },
    { name: 'kill', plausible: (r) => [value(r)] },
    { name: 'join', plausible: (r) => [ms(r)] },
  ],
  state: (o) => o.size,
  sanity(o) { if (typeof o.size !== 'number') throw new Error('no size') },
  dispose: (o) => (o instanceof TaskGroup ? o.kill().catch(() => {}) : undefined),
}

const taskPool: Subject<TaskPool> = {
  name: 'TaskPool',
  calls: 150,
  make: () => new TaskPool(2),
  construct: (a) => new TaskPool(...(a as [number])),
  plausibleNew: (r) => [r.pick([1, 2, 0, -1, Infinity, 1.5, 'x'])],
  methods: [
    { name: 'spawn', plausible: (r) => [quick(r), value(r)] },
    { name: 'map', plausible: (r) => [quick(r), r.pick([[1, 2], 'ab', 5])] },
    { name: 'free' }, { name: 'waitAvailable' },
    { name: 'join', plausible: (r) => [ms(r)] },
    { name: 'kill', plausible: (r) => [value(r)] },
  ],
  state: (o) => [o.size],
  async sanity(o) {
    const t = o.spawn(async () => 5)
    if ((await t) !== 5) throw new Error('a spawned task did not give its value')
  },
  dispose: (o) => (o instanceof TaskPool ? o.kill().catch(() => {}) : undefined),
}

/** The task functions, as one subject with no object. */
const taskFunctions: Subject<null> = {
  name: 'spawn/sleep/withTimeout/joinAll',
  calls: 200,
  make: () => null,
  methods: [
    { name: 'spawn', plausible: (r) => [quick(r), value(r)], call: (_o, a) => (spawn as (...x: unknown[]) => Task<unknown>)(...a) },
    // A valid sleep of more than a second waits by design: only shorter ones (and invalid ones) are called.
    { name: 'sleep', plausible: (r) => [ms(r), r.pick([undefined, options(r), 'x'])], call: (_o, a) => (typeof a[0] === 'number' && a[0] > 1000 ? undefined : (sleep as (...x: unknown[]) => unknown)(...a)) },
    { name: 'withTimeout', plausible: (r) => [ms(r), quick(r)], call: (_o, a) => (withTimeout as (...x: unknown[]) => unknown)(...a) },
    { name: 'joinAll', plausible: (r) => [r.pick([[spawn(async () => 1)], [], 'x', [1]]), r.pick([{}, { timeout: 5 }, { raiseError: true }, 'x'])], call: (_o, a) => (joinAll as (...x: unknown[]) => unknown)(...a) },
  ],
  state: () => 0,
  async sanity() {
    if ((await spawn(async (_s: AbortSignal, x: number) => x * 2, 21)) !== 42) throw new Error('spawn broke')
  },
}

export const levelSubjects: Array<Subject<any>> = [
  runnableSubject('Process', Process), runnableSubject('Thread', Thread), timer,
  poolSubject('ThreadPool', () => new ThreadPool({ threads: 1 }), (a) => new ThreadPool(...(a as [])), 80),
  poolSubject('Pool', () => new Pool({ processes: 1 }), (a) => new Pool(...(a as [])), 40),
  executor, group, taskPool, taskFunctions,
]
