// Fuzz subjects: shared values and arrays, raw shared memory, queues and
// pipes, and the Manager's collections.
import { Connection, JoinableQueue, LifoQueue, Manager, Namespace, Pipe, PriorityQueue, Queue, RawArray, RawValue, SharedArray, SharedDict, SharedList, SharedMemory, SimpleQueue, Value } from '../../src/index.js'
import { options, UserError, value, type Random } from './random.js'
import type { Method, Subject } from './harness.js'

const codes = ['b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'f', 'd', 'x', '', 'dd', 5]
const element = (r: Random): unknown => r.pick([0, 1, -1, 1.5, 2 ** 40, NaN, 1n, -1n, 2n ** 70n, 'x', undefined])

/** RawValue and Value: `.value` and friends. */
function valueSubject(name: string, Kind: typeof RawValue | typeof Value): Subject<RawValue | Value> {
  return {
    name,
    calls: 200,
    make: () => new Kind('i', 1),
    construct: (a) => new (Kind as new (...x: unknown[]) => unknown)(...a),
    plausibleNew: (r) => [r.pick(codes), element(r), r.chance(0.5) ? undefined : { lock: r.pick([true, false, 'x', {}]) }],
    methods: [
      { name: 'value=', plausible: (r) => [element(r)], call: (o, a) => { o.value = a[0] as number } },
      { name: 'toString' },
      ...(Kind === Value ? [
        { name: 'withLock', plausible: (r: Random) => [r.pick([() => 1, () => { throw new UserError('x') }]), options(r)] },
        { name: 'withLockSync', plausible: (r: Random) => [r.pick([() => 1, () => { throw new UserError('x') }]), options(r)] },
        { name: 'getLock' },
      ] as Method<RawValue | Value>[] : []),
    ],
    state: (o) => o.value,
    sanity(o) {
      const v = o.value as number
      o.value = (v + 1) | 0
      if (o.value !== ((v + 1) | 0)) throw new Error('a write did not read back')
    },
  }
}

/** RawArray and SharedArray: elements by get/set and by a[i]. */
function arraySubject(name: string, Kind: typeof RawArray | typeof SharedArray): Subject<RawArray<'d'>> {
  return {
    name,
    calls: 200,
    make: () => new Kind('d', 4) as RawArray<'d'>,
    construct: (a) => new (Kind as new (...x: unknown[]) => unknown)(...a),
    plausibleNew: (r) => [r.pick(codes), r.pick([0, 3, -1, 1.5, 2 ** 40, [1, 2], ['x'], new Set([1])])],
    methods: [
      { name: 'get', plausible: (r) => [r.pick([0, 3, -1, -4, 4, 1.5, NaN])] },
      { name: 'set', plausible: (r) => [r.pick([0, 3, -1, 4, 1.5]), element(r)] },
      { name: 'a[i]=', plausible: (r) => [r.pick([0, '1', -1, 4, 1.5, 'x', '-0', 'NaN', 'length']), element(r)], call: (o, a) => { (o as unknown as Record<string, unknown>)[a[0] as string] = a[1] } },
      { name: 'a[i]', plausible: (r) => [r.pick([0, -1, 4, 'x', 'NaN'])], call: (o, a) => (o as unknown as Record<string, unknown>)[a[0] as string] },
      { name: 'toArray' }, { name: 'toString' },
    ],
    state: (o) => [...o.toArray(), Object.keys(o).length],
    sanity(o) {
      o[0] = 0.5
      if (o.get(0) !== 0.5 || o.array[0] !== 0.5) throw new Error('a write did not reach the memory')
    },
  }
}

const shmName = (r: Random) => r.pick([`skein-fuzz-${process.pid}-${r.int(5)}`, '..', '', 'a/b', 'a\uD800', 5])

const sharedMemory: Subject<SharedMemory> = {
  name: 'SharedMemory',
  calls: 150,
  make: () => new SharedMemory({ create: true, size: 64 }),
  construct: (a) => new SharedMemory(...(a as [])),
  plausibleNew: (r) => [{ name: r.chance(0.5) ? shmName(r) : undefined, create: r.pick([true, false, 'yes']), size: r.pick([1, 64, 0, -1, 2 ** 50, 1.5, 'x']), track: r.pick([true, false, undefined]) }],
  methods: [{ name: 'close' }, { name: 'toString' }, { name: 'buf', call: (o) => o.buf[0] }],
  state: (o) => o.closed,
  sanity(o) {
    if (o.closed) return
    o.buf[1] = 7
    if (new SharedMemory({ name: o.name }).buf[1] !== 7) throw new Error('another handle does not see the write')
  },
  dispose(o) {
    if (!(o instanceof SharedMemory)) return
    o.close()
    try { o.unlink() } catch { /* attached, or gone already */ }
  },
}

type AnyQueue = Queue<unknown>

/** Every queue class: one shape (PriorityQueue items are [priority, item]). */
function queueSubject(name: string, make: () => AnyQueue, build: (a: unknown[]) => unknown, item: (r: Random) => unknown): Subject<AnyQueue> {
  const haveOne = (o: AnyQueue) => { if (o.empty() && !o.closed) o.putNowait(name === 'PriorityQueue' ? [1, 'x'] : 'x') }
  // join waits for every item put to be marked done: take them all, then mark done until taskDone refuses.
  const drainJoin = (o: AnyQueue) => {
    try { while (!o.empty()) o.getNowait() } catch { /* closed and drained */ }
    try { for (;;) o.taskDone() } catch { /* all done */ }
  }
  return {
    name,
    calls: 200,
    make,
    construct: build,
    plausibleNew: (r) => [r.pick([0, 1, 10, -1, 1.5, 2 ** 40, 'x']), r.chance(0.5) ? undefined : { capacity: r.pick([1024, 0, -1, 2 ** 40, 'x']) }],
    methods: [
      { name: 'put', plausible: (r) => [item(r), options(r)] },
      { name: 'putSync', plausible: (r) => [item(r), options(r)] },
      { name: 'putNowait', plausible: (r) => [item(r)] },
      { name: 'get', prepare: haveOne, plausible: (r) => [options(r)] },
      { name: 'getSync', prepare: haveOne, plausible: (r) => [options(r)] },
      { name: 'getNowait', prepare: haveOne },
      { name: 'qsize' }, { name: 'empty' }, { name: 'full' }, { name: 'taskDone' },
      { name: 'join', prepare: drainJoin, plausible: (r) => [r.pick([0, 5, -1, undefined, 'x'])] },
      { name: 'close', call: (o, a) => (a.length === 0 ? o.close() : undefined) },
    ],
    state: (o) => [o.qsize(), o.closed],
    sanity(o) {
      if (o.closed) return
      const n = o.qsize()
      o.putNowait(name === 'PriorityQueue' ? [0, 'sanity'] : 'sanity')
      if (o.qsize() !== n + 1) throw new Error(`put did not count: ${n} -> ${o.qsize()}`)
      for (let i = 0; i <= n; i++) {
        const got = o.getNowait()
        o.taskDone()
        if (got === 'sanity' || (Array.isArray(got) && got[1] === 'sanity')) return
      }
      throw new Error('the item put was not found')
    },
  }
}

const pipe: Subject<[Connection, Connection]> = {
  name: 'Connection',
  calls: 200,
  make: () => Pipe(),
  construct: (a) => Pipe(...(a as [])),
  methods: [
    { name: 'send', plausible: (r) => [value(r)], call: ([a], x) => a.send(x[0]) },
    { name: 'sendBytes', plausible: (r) => [r.pick([new Uint8Array(4), 'x', null]), r.pick([0, 2, -1, 5]), r.pick([undefined, 1, 9, -1])], call: ([a], x) => a.sendBytes(...(x as [Uint8Array])) },
    { name: 'recv', prepare: ([a]) => a.send('x'), plausible: (r) => [options(r)], call: ([, b], x) => b.recv(...(x as [])) },
    { name: 'recvSync', prepare: ([a]) => a.send('x'), plausible: (r) => [options(r)], call: ([, b], x) => b.recvSync(...(x as [])) },
    // A message longer than maxLength is taken and refused, as Python's recv_bytes does (left to queues: a ring peek would keep it).
    { name: 'recvBytes', prepare: ([a]) => a.sendBytes(new Uint8Array(3)), plausible: (r) => [r.pick([undefined, 1, 8, -1]), options(r)], call: ([, b], x) => b.recvBytes(...(x as [])), changesOnError: /more than maxLength/ },
    { name: 'poll', prepare: ([a]) => a.send('x'), plausible: (r) => [r.pick([0, 5, -1, 'x', undefined])], call: ([, b], x) => b.poll(...(x as [])) },
  ],
  state: ([a, b]) => [a.closed, b.closed, b.pollSync(0)],
  sanity([a, b]) {
    while (b.pollSync(0)) b.recvSync()
    a.send({ n: 1 })
    if ((b.recvSync() as { n: number }).n !== 1) throw new Error('a message did not arrive whole')
  },
}

const key = (r: Random): unknown => r.pick(['k', 'a\uD800', '', 1, 1n, true, null, {}, Symbol('s'), '__proto__'])

const dict: Subject<SharedDict<any, any>> = {
  name: 'SharedDict',
  calls: 200,
  make: () => new SharedDict(),
  construct: (a) => new SharedDict(...(a as [])),
  plausibleNew: (r) => [r.pick([{ a: 1 }, new Map([[1, 2]]), [[1, 2]], 'x', 5]), r.chance(0.5) ? undefined : { capacity: r.pick([4096, 0, -1, 2 ** 40, 'x']) }],
  methods: [
    { name: 'get', plausible: (r) => [key(r)] }, { name: 'set', plausible: (r) => [key(r), value(r)] },
    { name: 'has', plausible: (r) => [key(r)] }, { name: 'delete', plausible: (r) => [key(r)] },
    { name: 'update', plausible: (r) => [key(r), r.pick([(v: unknown) => v, () => 1, async () => 1, () => { throw new UserError('x') }, 'x'])] },
    { name: 'keys' }, { name: 'values' }, { name: 'entries' }, { name: 'toMap' }, { name: 'clear', call: (o, a) => (a.length === 0 ? o.clear() : undefined) },
  ],
  state: async (o) => [...(await o.toMap())],
  async sanity(o) {
    await o.set('sanity', 1)
    if ((await o.get('sanity')) !== 1) throw new Error('a set did not read back')
  },
}

const list: Subject<SharedList<any>> = {
  name: 'SharedList',
  calls: 200,
  make: () => new SharedList([1]),
  construct: (a) => new SharedList(...(a as [])),
  plausibleNew: (r) => [r.pick([[1, 2], 'abc', 5, new Set([1])]), r.chance(0.5) ? undefined : { capacity: r.pick([4096, 0, 'x']) }],
  methods: [
    { name: 'get', plausible: (r) => [r.pick([0, -1, 5, 1.5, 'x'])] }, { name: 'set', plausible: (r) => [r.pick([0, -1, 5, 'x']), value(r)] },
    { name: 'push', plausible: (r) => [value(r), value(r)] }, { name: 'pop' }, { name: 'insert', plausible: (r) => [r.pick([0, -1, 99, 'x']), value(r)] },
    { name: 'update', plausible: (r) => [r.pick([0, 9]), r.pick([(v: unknown) => v, () => { throw new UserError('x') }, 'x'])] },
    { name: 'slice', plausible: (r) => [r.pick([0, -1, 'x']), r.pick([1, undefined, NaN])] }, { name: 'indexOf', plausible: (r) => [value(r)] }, { name: 'toArray' },
  ],
  state: (o) => o.toArray(),
  async sanity(o) {
    const n = await o.push('sanity')
    if ((await o.pop()) !== 'sanity' || o.length !== n - 1) throw new Error('push then pop did not match')
  },
}

const namespace: Subject<Record<string, unknown>> = {
  name: 'Namespace',
  calls: 150,
  make: () => new Namespace({ a: 1 }) as unknown as Record<string, unknown>,
  construct: (a) => new Namespace(...(a as [])),
  methods: [
    { name: 'ns.x=', plausible: (r) => [key(r), value(r)], call: (o, a) => { o[a[0] as string] = a[1] } },
    { name: 'ns.x', plausible: (r) => [key(r)], call: (o, a) => o[a[0] as string] },
    { name: 'delete ns.x', plausible: (r) => [key(r)], call: (o, a) => delete o[a[0] as string] },
    { name: 'keys', call: (o) => Object.keys(o) },
  ],
  state: (o) => ({ ...o }),
  sanity(o) {
    o.sanity = 2
    if (o.sanity !== 2) throw new Error('an attribute did not read back')
  },
}

const manager: Subject<Manager> = {
  name: 'Manager',
  calls: 100,
  make: () => new Manager().start(),
  construct: (a) => new Manager(...(a as [])),
  methods: ['dict', 'list', 'Namespace', 'Value', 'Array', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event', 'Barrier', 'Queue', 'JoinableQueue']
    .map((name) => ({ name, plausible: (r: Random) => [value(r), value(r)] })),
  state: (o) => o.running,
  sanity(o) {
    if (o.running) o.dict().size
  },
  dispose: (o) => (o instanceof Manager ? o.shutdown() : undefined),
}

export const dataSubjects: Array<Subject<any>> = [
  valueSubject('RawValue', RawValue), valueSubject('Value', Value),
  arraySubject('RawArray', RawArray), arraySubject('SharedArray', SharedArray),
  sharedMemory,
  queueSubject('Queue', () => new Queue(), (a) => new Queue(...(a as [])), (r) => value(r)),
  queueSubject('SimpleQueue', () => new SimpleQueue(), (a) => new SimpleQueue(...(a as [])), (r) => value(r)),
  queueSubject('LifoQueue', () => new LifoQueue(), (a) => new LifoQueue(...(a as [])), (r) => value(r)),
  queueSubject('JoinableQueue', () => new JoinableQueue(), (a) => new JoinableQueue(...(a as [])), (r) => value(r)),
  queueSubject('PriorityQueue', () => new PriorityQueue() as AnyQueue, (a) => new PriorityQueue(...(a as [])), (r) => (r.chance(0.6) ? [r.pick([1, -1, 1.5, NaN, 1n, 'x']), value(r)] : value(r))),
  pipe, dict, list, namespace, manager,
]
