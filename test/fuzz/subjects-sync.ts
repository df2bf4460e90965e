// Fuzz subjects: the synchronization primitives (src/sync).
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Barrier, BoundedSemaphore, Condition, Event, FileLock, Lock, RLock, Semaphore } from '../../src/index.js'
import { options, UserError, type Random } from './random.js'
import type { Subject } from './harness.js'

type Acquirable = Lock | RLock | Semaphore | BoundedSemaphore

const timeoutArg = (r: Random): unknown[] => [r.pick([0, 1, 5, undefined, -1, NaN, 'x'])]

/** Lock, RLock, Semaphore, BoundedSemaphore: one shape. */
function acquirable<T extends Acquirable>(name: string, make: (r: Random) => T, build: (a: unknown[]) => unknown, held: (o: T) => boolean, free: (o: T) => void): Subject<T> {
  return {
    name,
    calls: 300,
    make,
    construct: build,
    plausibleNew: (r) => [r.pick([0, 1, 2, 5])],
    methods: [
      { name: 'acquire', prepare: free, plausible: (r) => [options(r)] },
      { name: 'acquireSync', prepare: free, plausible: (r) => [options(r)] },
      { name: 'release', plausible: (r) => r.chance(0.5) ? [] : [r.pick([1, 2, 0, -1, 2 ** 31, 2 ** 32 + 1, 1.5])] },
      { name: 'withLock', prepare: free, plausible: (r) => [r.pick([() => 1, async () => 2, () => { throw new UserError('inside') }]), options(r)] },
      { name: 'withLockSync', prepare: free, plausible: (r) => [r.pick([() => 1, () => { throw new UserError('inside') }]), options(r)] },
      { name: 'hold', prepare: free, plausible: (r) => [options(r)], call: async (o, a) => { const h = await (o.hold as (...x: unknown[]) => Promise<Disposable>)(...a); h[Symbol.dispose]() } },
    ],
    state: (o) => ('value' in o ? o.value : held(o)),
    sanity(o) {
      free(o)
      if (!o.acquireSync({ blocking: false })) throw new Error(`${name}: not acquirable when free`)
      o.release()
    },
    dispose: (o) => { if (o instanceof Object && 'release' in o) { try { free(o as T) } catch { /* a bounded semaphore at its bound */ } } },
  }
}

function freeLock(o: Lock | RLock): void {
  while (o.locked() && o.isOwned()) o.release()
}

function freeSem(o: Semaphore): void {
  if (o.value === 0) o.release()
}


export const syncSubjects: Array<Subject<any>> = [
  acquirable('Lock', () => new Lock(), () => new Lock(), (o) => o.locked(), freeLock),
  acquirable('RLock', () => new RLock(), () => new RLock(), (o) => o.locked(), freeLock),
  acquirable('Semaphore', (r) => new Semaphore(r.int(3)), (a) => new Semaphore(...(a as [number])), () => false, freeSem),
  acquirable('BoundedSemaphore', () => new BoundedSemaphore(2), (a) => new BoundedSemaphore(...(a as [number])), () => false, freeSem),
  {
    name: 'Event',
    calls: 200,
    make: () => new Event(),
    construct: (a) => new Event(...(a as [])),
    methods: [
      { name: 'set' }, { name: 'clear' }, { name: 'isSet' },
      { name: 'wait', prepare: (o: Event) => o.set(), plausible: timeoutArg },
      { name: 'waitSync', prepare: (o: Event) => o.set(), plausible: timeoutArg },
    ],
    state: (o: Event) => o.isSet(),
    sanity(o: Event) {
      o.set()
      if (!o.waitSync(0)) throw new Error('set, but wait says no')
    },
  },
  {
    name: 'Condition',
    calls: 200,
    make: () => new Condition(),
    construct: (a) => new Condition(...(a as [])),
    plausibleNew: (r) => [r.pick([new Lock(), new RLock(), undefined])],
    methods: [
      { name: 'acquire', prepare: releaseCond, plausible: (r) => [options(r)] },
      { name: 'release' },
      { name: 'notify', plausible: (r) => [r.pick([1, 0, -1, 2 ** 40, NaN])] },
      { name: 'notifyAll' },
      { name: 'wait', prepare: holdCond, plausible: timeoutArg },
      // A predicate that never holds, with no timeout, waits for ever by design: bound those.
      { name: 'waitFor', prepare: holdCond, plausible: (r) => [r.pick([() => true, () => 1, 'x']), r.pick([0, 5, -1, undefined])], call: (o, a) => o.waitFor(a[0] as () => unknown, typeof a[0] === 'function' && a[1] === undefined ? 50 : a[1] as number) },
      { name: 'withLock', prepare: releaseCond, plausible: (r) => [r.pick([() => 1, () => { throw new UserError('x') }])] },
    ],
    state: (o: Condition) => o.lock.locked(),
    sanity(o: Condition) {
      releaseCond(o)
      o.withLockSync(() => o.notifyAll())
    },
    // A waiter with no timeout is woken: a notify from elsewhere is what it waits for.
    poke(o: Condition) {
      if (o.lock.acquireSync({ blocking: false })) {
        o.notifyAll()
        o.release()
      }
    },
  },
  {
    name: 'Barrier',
    calls: 200,
    make: () => new Barrier(1),
    construct: (a) => new Barrier(...(a as [number])),
    plausibleNew: (r) => [r.pick([1, 2, 0, -1, 2 ** 31]), r.chance(0.5) ? options(r) : { action: r.pick([() => 1, 'x']) }],
    methods: [
      { name: 'wait', plausible: timeoutArg }, { name: 'waitSync', plausible: timeoutArg },
      { name: 'reset' }, { name: 'abort' },
    ],
    state: (o: Barrier) => [o.broken, o.nWaiting, o.parties],
    sanity(o: Barrier) {
      o.reset()
      if (o.waitSync(1000) !== 0) throw new Error('a Barrier(1) wait did not pass at once')
    },
  },
]

/** FileLocks live in `dir`: a random path names a file there, never elsewhere. */
export function fileLockSubject(dir: string): Subject<FileLock> {
  const inDir = (p: unknown) => (typeof p === 'string' ? join(dir, p.replace(/\//g, '_').replace(/^\.\.?$/, '_dots')) : p)
  return {
    name: 'FileLock',
    calls: 150,
    make: (r) => new FileLock(join(dir, `lock-${r.int(1e6)}`)),
    construct: (a) => new FileLock(inDir(a[0]) as string, a[1] as never),
    plausibleNew: (r) => [`f${r.int(100)}`, r.pick([undefined, { mode: 0o600 }, { mode: -1 }, 5])],
    methods: [
      { name: 'acquire', prepare: freeFile, plausible: (r) => [options(r)] },
      { name: 'acquireSync', prepare: freeFile, plausible: (r) => [options(r)] },
      { name: 'release' }, { name: 'locked' },
      { name: 'withLock', prepare: freeFile, plausible: (r) => [() => r.int(3), options(r)] },
    ],
    state: (o) => o.locked(),
    sanity(o) {
      freeFile(o)
      if (!o.acquireSync({ blocking: false })) throw new Error('FileLock: not acquirable when free')
      o.release()
    },
    dispose(o) {
      if (o instanceof FileLock) {
        o.close()
        rmSync(o.path, { force: true })
      }
    },
  }
}

function freeFile(o: FileLock): void {
  if (o.locked()) o.release()
}

function releaseCond(o: Condition): void {
  while (o.lock.locked()) o.release()
}

function holdCond(o: Condition): void {
  if (!o.lock.locked()) o.acquireSync()
}
