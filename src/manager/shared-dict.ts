/**
 * SharedDict: a Map in shared memory (Python's `Manager().dict()`), the same
 * object in every task, thread and process it is passed to.
 *
 * How it works: a {@link SnapshotStore} of alternating key and value
 * records; each handle keeps a `Map` from decoded keys to records, rebuilt
 * only when another writer committed. Values are decoded on every read, so a
 * reader always gets its own copy.
 */
import { kDescribe, registerKind, revive, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { nameFrom, type NameOptions } from '../observe/names.js'
import { Lock } from '../sync/lock.js'
import type { Event } from '../sync/event.js'
import type { Segment } from '../shm/segment.js'
import { checkKey, decodeKey, decodeValue, encodeKey, retainRecord, holdsShared, encodeValue, encodeValueSync, decodeValueSync, holdsHandles, sameRecord, type Key } from './record.js'
import { checkCapacity, releaseQuietly, SnapshotStore, type Model } from './store.js'

interface Entry {
  key: Uint8Array
  value: Uint8Array
}

type Entries = Map<Key, Entry>

const model: Model<Entries> = {
  parse(records) {
    const map: Entries = new Map()
    for (let i = 0; i + 1 < records.length; i += 2) {
      const key = records[i] as Uint8Array
      map.set(decodeKey(key), { key, value: records[i + 1] as Uint8Array })
    }
    return map
  },
  records(map) {
    const out: Uint8Array[] = []
    for (const e of map.values()) out.push(e.key, e.value)
    return out
  },
}

/**
 * Options of {@link SharedDict} (and `manager.dict()`).
 *
 * @example
 * import { SharedDict } from 'skein'
 * const small = new SharedDict<string, string>(undefined, { capacity: 64 * 1024 })
 */
export interface SharedDictOptions extends NameOptions {
  /**
   * Bytes the serialized contents may take (default 32 MiB). The memory is
   * reserved, not used: pages are only touched as the dict fills. A write
   * that would go over it throws a RangeError and writes nothing.
   */
  capacity?: number
}

/** @internal How Manager and revivers pass what a public constructor can't take. */
export const kInternal = Symbol('skein.manager.internal')

/** @internal */
export interface Internal {
  down?: Event | null
  /** The class name errors use (Namespace reuses the dict). */
  owner?: string
  store?: SnapshotStore<never>
}

/**
 * What a dict can be created from: a Map, `[key, value]` pairs, or a plain object.
 *
 * @example
 * import { SharedDict } from 'skein'
 * const a = new SharedDict({ x: 1 }), b = new SharedDict([[1, 'one']]), c = new SharedDict(new Map([['k', true]]))
 */
export type DictInit<K extends Key, V> = Iterable<readonly [K, V]> | (K extends string ? Record<K, V> : never)

/**
 * A `Map`-like dictionary in shared memory, shared by tasks, threads and
 * processes (pass it as an argument). Python's `Manager().dict()`.
 *
 * @example
 * import { SharedDict } from 'skein'
 * const scores = new SharedDict<string, number>()
 * await scores.set('ada', 1)
 * await scores.update('ada', (n = 0) => n + 1)   // atomic read-modify-write
 * console.log(await scores.get('ada'), scores.size) // 2 1
 *
 * Semantics. Keys are strings, numbers, bigints or booleans, compared by
 * value everywhere. Values are anything structured clone takes (Map, Set,
 * Date, BigInt, typed arrays, nested objects) and skein's shared objects
 * (they arrive as the same objects). Each read returns a fresh copy:
 * changing it changes nothing shared — write it back with `set` or, to
 * avoid lost updates between readers and writers, use `update`.
 *
 * Methods that read or write values return Promises (await them: a write is
 * visible to every thread and process once its promise resolves); `size`,
 * `has` and `keys` answer at once. Every write is atomic, and a writer
 * killed mid-write leaves the previous contents intact.
 */
export class SharedDict<K extends Key = Key, V = unknown> implements Shareable, AsyncIterable<[K, V]> {
  readonly #store: SnapshotStore<Entries>

  /**
   * @param init initial entries: a Map, `[key, value]` pairs or a plain object.
   * @param options `{ capacity }`: bytes the contents may take (default 32 MiB, reserved sparse).
   */
  constructor(init?: DictInit<K, V>, options?: SharedDictOptions & { [kInternal]?: Internal }) {
    const internal = options?.[kInternal]
    if (internal?.store !== undefined) {
      this.#store = internal.store as unknown as SnapshotStore<Entries>
      return
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`SharedDict: options must be an object like { capacity: 1048576 }; got ${options === null ? 'null' : typeof options}`)
    }
    const capacity = checkCapacity(options?.capacity, 'SharedDict')
    const entries = init === undefined ? [] : initialEntries(init)
    const owner = internal?.owner ?? 'SharedDict'
    // The dict's lock carries its name: skein top shows writers waiting on it and holding it.
    const lock = new Lock({ name: nameFrom({ name: options?.name }, owner, `new ${owner}()`) })
    this.#store = new SnapshotStore(owner, model, SnapshotStore.segmentFor(capacity), lock, internal?.down ?? null)
    if (entries.length > 0) {
      this.#store.write('constructor', (map) => {
        for (const [k, v] of entries) map.set(k, { key: encodeKey(k, 'SharedDict'), value: v })
        return { result: undefined, changed: true }
      })
    }
  }

  /** The number of entries. */
  get size(): number {
    return this.#store.read('size').size
  }

  /** Whether `key` is in the dict. */
  has(key: K): boolean {
    return this.#store.read('has()').has(key)
  }

  /** The keys, in insertion order (a snapshot). */
  keys(): K[] {
    return [...this.#store.read('keys()').keys()] as K[]
  }

  /** The value of `key` (a fresh copy), or undefined. */
  async get(key: K): Promise<V | undefined> {
    const e = this.#store.read('get()').get(key)
    if (e === undefined) return undefined
    if (!holdsHandles(e.value)) return decodeValue(e.value) as Promise<V>
    const record = this.#retainedRecord('get()', key)
    return record === undefined ? undefined : (decodeValue(record) as Promise<V>)
  }

  /**
   * Sets `key` to `value`. A value that can't be cloned is a TypeError and
   * nothing is written.
   */
  async set(key: K, value: V): Promise<this> {
    checkKey(key, 'SharedDict.set()')
    const record = holdsShared(value) ? await encodeValue(value, 'SharedDict.set()') : (encodeValueSync(value, 'SharedDict.set()') as Uint8Array)
    this.#put('set()', key, record)
    return this
  }

  /** Removes `key`; true if it was there. */
  async delete(key: K): Promise<boolean> {
    return this.deleteSync(key)
  }

  /** Removes every entry. */
  async clear(): Promise<void> {
    this.#store.write('clear()', (map) => {
      const released = [...map.values()].map((e) => e.value).filter(holdsHandles)
      const changed = map.size > 0
      map.clear()
      return { result: undefined, changed, released }
    })
  }

  /**
   * Atomically replaces the value of `key` with `fn(old)` (old is undefined
   * if absent) and returns the new value: no write by any other task,
   * thread or process can come between the read and the write.
   *
   * `fn` must be synchronous (a Promise-returning fn is a TypeError; read,
   * await, then update). If `fn` throws, nothing is written. When the old
   * or new value holds a shared object that attaches or describes itself
   * asynchronously (a Value, SharedArray, Condition, Barrier), `fn` runs
   * outside the lock and is retried if another writer changed the key
   * meanwhile, so keep it free of side effects.
   */
  async update(key: K, fn: (old: V | undefined) => V): Promise<V> {
    if (typeof fn !== 'function') throw new TypeError(`SharedDict.update(): fn must be a function (old) => new, got ${typeof fn}`)
    checkKey(key, 'SharedDict.update()')
    let slow = false
    let next: V | undefined
    this.#store.write('update()', (map) => {
      const old = map.get(key)?.value
      if (old !== undefined && holdsHandles(old)) {
        slow = true
        return { result: undefined, changed: false }
      }
      next = callUpdate(fn, old === undefined ? undefined : (decodeValueSync(old, '') as V))
      const record = encodeValueSync(next, 'SharedDict.update()')
      if (record === undefined) {
        slow = true
        return { result: undefined, changed: false }
      }
      put(map, key, record)
      return CHANGED
    })
    if (!slow) return next as V
    for (;;) {
      const old = this.#retainedRecord('update()', key)
      const value = callUpdate(fn, old === undefined ? undefined : ((await decodeValue(old)) as V))
      const record = await encodeValue(value, 'SharedDict.update()')
      let done = false
      try {
        done = this.#store.write('update()', (map) => {
          const now = map.get(key)?.value
          if (!sameRecord(now, old)) return { result: false, changed: false } // changed meanwhile: again
          put(map, key, record)
          return { result: true, changed: true, released: now !== undefined && holdsHandles(now) ? [now] : undefined }
        })
      } finally {
        if (!done && holdsHandles(record)) releaseQuietly(record) // never stored
      }
      if (done) return value
    }
  }

  /** The values, in key order (fresh copies). */
  async values(): Promise<V[]> {
    return (await this.entries()).map(([, v]) => v)
  }

  /** The `[key, value]` pairs, in insertion order (fresh copies). */
  async entries(): Promise<Array<[K, V]>> {
    const pairs = (map: Entries): Array<[K, Uint8Array]> => [...map].map(([k, e]) => [k as K, e.value])
    let records = pairs(this.#store.read('entries()'))
    if (records.some(([, r]) => holdsHandles(r))) {
      records = this.#store.write('entries()', (map) => {
        const now = pairs(map)
        for (const [, r] of now) if (holdsHandles(r)) retainRecord(r)
        return { result: now, changed: false }
      })
    }
    return Promise.all(records.map(async ([k, r]) => [k, (await decodeValue(r)) as V] as [K, V]))
  }

  /** A plain `Map` copy of the contents. */
  async toMap(): Promise<Map<K, V>> {
    return new Map(await this.entries())
  }

  /** `for await (const [key, value] of dict)`: the entries of one snapshot. */
  async *[Symbol.asyncIterator](): AsyncGenerator<[K, V]> {
    for (const entry of await this.entries()) yield entry
  }

  /** @internal The value of `key` read without waiting (Namespace's attribute reads). */
  getSync(key: K, fix: string): V | undefined {
    const e = this.#store.read('get()').get(key)
    if (e === undefined) return undefined
    const record = holdsHandles(e.value) ? this.#retainedRecord('get()', key) : e.value
    return record === undefined ? undefined : (decodeValueSync(record, fix) as V)
  }

  /** @internal Sets without waiting; false if the value needs the async path. */
  setSync(key: K, value: V, where: string): boolean {
    checkKey(key, where)
    const record = encodeValueSync(value, where)
    if (record === undefined) return false
    this.#put(where, key, record)
    return true
  }

  /** @internal Deletes without waiting. */
  deleteSync(key: K): boolean {
    return this.#store.write('delete()', (map) => {
      const old = map.get(key)?.value
      if (old === undefined) return { result: false, changed: false }
      map.delete(key)
      return { result: true, changed: true, released: holdsHandles(old) ? [old] : undefined }
    })
  }

  /** Stores a value record; the one it replaces gives back its references. */
  #put(what: string, key: K, record: Uint8Array): void {
    try {
      this.#store.write(what, (map) => {
        const old = map.get(key)?.value
        put(map, key, record)
        return old !== undefined && holdsHandles(old) ? { result: undefined, changed: true, released: [old] } : CHANGED
      })
    } catch (error) {
      if (holdsHandles(record)) releaseQuietly(record) // never stored
      throw error
    }
  }

  /** The current record of `key`, read under the lock with a reference added for this reader if it holds shared objects. */
  #retainedRecord(what: string, key: K): Uint8Array | undefined {
    return this.#store.write(what, (map) => {
      const record = map.get(key)?.value
      if (record !== undefined && holdsHandles(record)) retainRecord(record)
      return { result: record, changed: false }
    })
  }

  /** What `skein top` and errors call this dict (its lock's name). */
  get name(): string {
    return this.#store.lock.name
  }

  /** The descriptor `encode` sends to another thread or process. */
  [kDescribe](): HandleDescriptor {
    return describeStore('skein.SharedDict', this.#store)
  }

  get [Symbol.toStringTag](): string {
    return 'SharedDict'
  }
}

/** @internal The descriptor of a store (shared by SharedDict, SharedList, Namespace). */
export function describeStore(kind: string, store: SnapshotStore<unknown>): HandleDescriptor {
  return { kind, segment: store.segment.describe(), offset: 0, lock: store.lock[kDescribe](), down: store.down === null ? null : store.down[kDescribe]() }
}

/**
 * @internal Rebuilds a store from its descriptor, then the handle with
 * `make`: synchronously when its Lock and Event attach synchronously (so a
 * dict stored in a Namespace can be read back as an attribute).
 */
export function reviveStore<S, T extends object>(owner: string, m: Model<S>, d: HandleDescriptor, segment: Segment, make: (store: SnapshotStore<never>) => T): T | Promise<T> {
  const lock = revive(d.lock as HandleDescriptor)
  const down = d.down === null || d.down === undefined ? null : revive(d.down as HandleDescriptor)
  const build = (l: object, e: object | null): T => make(new SnapshotStore(owner, m, segment, l as Lock, e as Event | null) as unknown as SnapshotStore<never>)
  if (lock instanceof Promise || down instanceof Promise) return Promise.all([lock, down]).then(([l, e]) => build(l, e))
  return build(lock, down)
}

/** @internal The dict model, for Namespace. */
export const dictModel = model

const CHANGED = { result: undefined, changed: true } as const

/** Sets a key's value record, encoding the key only when it is new. */
function put(map: Entries, key: Key, value: Uint8Array): void {
  const entry = map.get(key)
  if (entry !== undefined) entry.value = value
  else map.set(key, { key: encodeKey(key, 'SharedDict'), value })
}

function callUpdate<V>(fn: (old: V | undefined) => V, old: V | undefined): V {
  const next = fn(old)
  if (typeof (next as { then?: unknown } | null)?.then === 'function') {
    ;(next as unknown as Promise<unknown>).then(undefined, () => {})
    throw new TypeError('SharedDict.update(): fn returned a Promise; it must be synchronous (it runs holding the dict\'s lock). Await what you need first, then update; nothing was written')
  }
  return next
}

function initialEntries<K extends Key, V>(init: DictInit<K, V>): Array<[K, Uint8Array]> {
  const pairs: Iterable<readonly [unknown, unknown]> = typeof init === 'object' && init !== null && !(Symbol.iterator in init)
    ? Object.entries(init)
    : (init as Iterable<readonly [unknown, unknown]>)
  const out: Array<[K, Uint8Array]> = []
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length < 2) throw new TypeError('SharedDict: initial entries must be [key, value] pairs, a Map, or a plain object')
    encodeKey(pair[0], 'SharedDict')
    const record = encodeValueSync(pair[1], 'SharedDict')
    if (record === undefined) throw new TypeError('SharedDict: an initial value holds a shared object that describes itself asynchronously (a Value, SharedArray, Condition or Barrier); create the dict, then `await dict.set(key, value)`')
    out.push([pair[0] as K, record])
  }
  return out
}

registerKind('skein.SharedDict', (d, segment) =>
  reviveStore('SharedDict', model, d, segment, (store) => new SharedDict(undefined, { [kInternal]: { store } })))
