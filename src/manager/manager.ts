/**
 * Manager: Python's `multiprocessing.Manager()`, without the server.
 *
 * How it works. Python's manager is a server process that owns every shared
 * dict and list and serves each access over a socket (~18 k ops/s). skein's
 * objects live in shared memory and cross to threads and processes as
 * handles, so there is nothing to serve: a Manager is a factory with a
 * lifecycle. Its one piece of shared state is an Event set by `shutdown()`;
 * every dict, list and namespace it made carries that Event and checks it on
 * each call, in every thread and process, so after shutdown they throw.
 */
import { assertNotBootstrapping } from '../runtime/context.js'
import { Lock } from '../sync/lock.js'
import { RLock } from '../sync/rlock.js'
import { Semaphore, BoundedSemaphore } from '../sync/semaphore.js'
import { Condition } from '../sync/condition.js'
import { Event } from '../sync/event.js'
import { Barrier, type BarrierOptions } from '../sync/barrier.js'
import type { OwnedLock } from '../sync/owned-lock.js'
import type { NameOptions } from '../observe/names.js'
import { Value } from '../shared/value.js'
import { SharedArray } from '../shared/shared-array.js'
import type { SizeOrValues } from '../shared/raw-array.js'
import type { SynchronizedOptions } from '../shared/synchronized.js'
import type { ElementOf, Typecode } from '../shared/typecodes.js'
import { Queue, JoinableQueue, type QueueOptions } from '../queue/index.js'
import { SharedDict, kInternal, type DictInit, type SharedDictOptions } from './shared-dict.js'
import { SharedList, type SharedListOptions } from './shared-list.js'
import { Namespace } from './namespace.js'
import type { Key } from './record.js'
import { shutDownError } from './store.js'
import { StateError } from '../errors.js'

type State = 'new' | 'started' | 'shut down'

/**
 * Makes shared dicts, lists, namespaces and primitives, and ends their use
 * with `shutdown()` (Python's `SyncManager`).
 *
 * @example
 * import { Manager } from 'skein'
 * await using manager = await new Manager().start()
 * const d = manager.dict<string, number>()
 * await d.set('hits', 0)
 * await d.update('hits', (n = 0) => n + 1)
 * console.log(await d.get('hits')) // 1
 *
 * Semantics. `start()` must come first (the factories throw before it);
 * starting twice throws, as in Python. There is no server: objects live in
 * shared memory, pass to threads and processes as arguments, and are freed
 * when no process holds them any more. After `shutdown()` (idempotent; also
 * `await using`) the dicts, lists and namespaces it made throw
 * `ERR_SKEIN_MANAGER_SHUT_DOWN` everywhere, and the factories throw.
 * Primitives it made (Lock, Event, Value…) are ordinary skein primitives:
 * shutdown does not stop them, since they need no server.
 */
export class Manager implements AsyncDisposable {
  #state: State = 'new'
  readonly #down: Event

  constructor() {
    // Python's Manager() at the top level of a module its children import would start a manager in each.
    assertNotBootstrapping('new Manager()')
    this.#down = new Event()
  }

  /** Starts the manager; resolves to itself (`await using m = await new Manager().start()`). */
  async start(): Promise<this> {
    if (this.#state === 'started') throw new StateError('Manager.start(): already started; start a manager once')
    if (this.#state === 'shut down') throw shutDownError('Manager.start()')
    this.#state = 'started'
    return this
  }

  /** Whether `start()` ran and `shutdown()` did not. */
  get running(): boolean {
    return this.#state === 'started'
  }

  /** Ends the manager: its dicts, lists and namespaces throw from now on, in every thread and process. */
  async shutdown(): Promise<void> {
    if (this.#state === 'shut down') return
    this.#state = 'shut down'
    this.#down.set()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown()
  }

  /** A new {@link SharedDict} (Python's `manager.dict()`). */
  dict<K extends Key = string, V = unknown>(init?: DictInit<K, V>, options?: SharedDictOptions): SharedDict<K, V> {
    this.#check('dict()')
    return new SharedDict<K, V>(init, { ...checkOptions(options, 'dict()'), [kInternal]: { down: this.#down } })
  }

  /** A new {@link SharedList} (Python's `manager.list()`). */
  list<T = unknown>(init?: Iterable<T>, options?: SharedListOptions): SharedList<T> {
    this.#check('list()')
    return new SharedList<T>(init, { ...checkOptions(options, 'list()'), [kInternal]: { down: this.#down } })
  }

  /** A new {@link Namespace} (Python's `manager.Namespace()`). */
  Namespace<T extends object = Record<string, unknown>>(init?: NoInfer<Partial<T>>, options?: SharedDictOptions): Namespace<T> {
    this.#check('Namespace()')
    return new Namespace<T>(init, { ...checkOptions(options, 'Namespace()'), [kInternal]: { down: this.#down } } as SharedDictOptions)
  }

  /** A new `Value` (Python's `manager.Value(typecode, value)`). */
  Value<C extends Typecode>(typecode: C, initial?: ElementOf<C>, options?: SynchronizedOptions): Value<C> {
    this.#check('Value()')
    return new Value(typecode, initial, options)
  }

  /** A new `SharedArray` (Python's `manager.Array(typecode, sequence)`). */
  Array<C extends Typecode>(typecode: C, sizeOrValues: SizeOrValues<C>, options?: SynchronizedOptions): SharedArray<C> {
    this.#check('Array()')
    return new SharedArray(typecode, sizeOrValues, options)
  }

  /** A new `Lock`. */
  Lock(options?: NameOptions): Lock {
    this.#check('Lock()')
    return new Lock(options)
  }

  /** A new `RLock`. */
  RLock(options?: NameOptions): RLock {
    this.#check('RLock()')
    return new RLock(options)
  }

  /** A new `Semaphore`. */
  Semaphore(value?: number, options?: NameOptions): Semaphore {
    this.#check('Semaphore()')
    return new Semaphore(value, options)
  }

  /** A new `BoundedSemaphore`. */
  BoundedSemaphore(value?: number, options?: NameOptions): BoundedSemaphore {
    this.#check('BoundedSemaphore()')
    return new BoundedSemaphore(value, options)
  }

  /** A new `Condition` (over `lock`, or a new Lock). */
  Condition(lock?: OwnedLock, options?: NameOptions): Condition {
    this.#check('Condition()')
    return new Condition(lock, options)
  }

  /** A new `Event`. */
  Event(options?: NameOptions): Event {
    this.#check('Event()')
    return new Event(options)
  }

  /** A new `Barrier`. */
  Barrier(parties: number, options?: BarrierOptions): Barrier {
    this.#check('Barrier()')
    return new Barrier(parties, options)
  }

  /** A new `Queue` (0 = unbounded). */
  Queue<T = unknown>(maxsize?: number, options?: QueueOptions): Queue<T> {
    this.#check('Queue()')
    return new Queue<T>(maxsize, options)
  }

  /** A new `JoinableQueue` (0 = unbounded). */
  JoinableQueue<T = unknown>(maxsize?: number, options?: QueueOptions): JoinableQueue<T> {
    this.#check('JoinableQueue()')
    return new JoinableQueue<T>(maxsize, options)
  }

  #check(what: string): void {
    if (this.#state === 'new') throw new StateError(`Manager.${what}: the manager is not started; call \`await manager.start()\` first`)
    if (this.#state === 'shut down') throw shutDownError(`Manager.${what}`)
  }
}

function checkOptions<O extends object>(options: O | undefined, what: string): O | undefined {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`Manager.${what}: options must be an object like { capacity: 1048576 }; got ${options === null ? 'null' : typeof options}`)
  }
  return options
}
