/**
 * SharedList: an array in shared memory (Python's `Manager().list()`), the
 * same object in every task, thread and process it is passed to.
 *
 * How it works: a {@link SnapshotStore} whose records are the items in
 * order; each handle caches the record array, rebuilt only when another
 * writer committed. Items are decoded on every read (a fresh copy).
 */
import { isDeepStrictEqual } from 'node:util'
import { kDescribe, registerKind, type HandleDescriptor, type Shareable } from '../shm/handle.js'
import { nameFrom } from '../observe/names.js'
import { Lock } from '../sync/lock.js'
import { decodeValue, decodeValueSync, encodeValue, encodeValueSync, holdsHandles, holdsShared, retainRecord, sameRecord } from './record.js'
import { checkCapacity, releaseQuietly, SnapshotStore, type Change, type Model } from './store.js'
import { describeStore, kInternal, reviveStore, type Internal, type SharedDictOptions } from './shared-dict.js'

const model: Model<Uint8Array[]> = {
  parse: (records) => records,
  records: (items) => items,
}

/**
 * Options of {@link SharedList} (and `manager.list()`): as a dict's.
 *
 * @example
 * import { SharedList } from 'skein'
 * const log = new SharedList<string>([], { capacity: 1024 * 1024 })
 */
export type SharedListOptions = SharedDictOptions

/**
 * An array-like list in shared memory, shared by tasks, threads and
 * processes (pass it as an argument). Python's `Manager().list()`.
 *
 * @example
 * import { SharedList } from 'skein'
 * const log = new SharedList<string>(['start'])
 * await log.push('a', 'b')
 * console.log(log.length, await log.get(-1), await log.toArray()) // 3 b [ 'start', 'a', 'b' ]
 *
 * Semantics. Items are anything structured clone takes, and skein's shared
 * objects. Each read returns a fresh copy (change it and `set` it back, or
 * use the atomic `update`). Indexes may be negative (from the end, as
 * Python's); an index out of range is a RangeError, and so is `pop()` on an
 * empty list (Python's IndexError). Methods that read or write items
 * return Promises; `length` answers at once. Every write is atomic, and a
 * writer killed mid-write leaves the previous contents intact.
 */
export class SharedList<T = unknown> implements Shareable, AsyncIterable<T> {
  readonly #store: SnapshotStore<Uint8Array[]>

  /**
   * @param init initial items (any iterable).
   * @param options `{ capacity }`: bytes the contents may take (default 32 MiB, reserved sparse).
   */
  constructor(init?: Iterable<T>, options?: SharedListOptions & { [kInternal]?: Internal }) {
    const internal = options?.[kInternal]
    if (internal?.store !== undefined) {
      this.#store = internal.store as unknown as SnapshotStore<Uint8Array[]>
      return
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`SharedList: options must be an object like { capacity: 1048576 }; got ${options === null ? 'null' : typeof options}`)
    }
    if (init !== undefined && (typeof init !== 'object' || init === null || !(Symbol.iterator in init))) {
      throw new TypeError(`SharedList: the initial items must be an iterable (an array, a Set…); got ${init === null ? 'null' : typeof init}`)
    }
    const capacity = checkCapacity(options?.capacity, 'SharedList')
    const records = [...(init ?? [])].map((item) => syncRecord(item, 'SharedList'))
    const lock = new Lock({ name: nameFrom({ name: options?.name }, 'SharedList', 'new SharedList()') }) // the list's name, as skein top shows it
    this.#store = new SnapshotStore('SharedList', model, SnapshotStore.segmentFor(capacity), lock, internal?.down ?? null)
    if (records.length > 0) this.#store.write('constructor', (items) => ({ result: append(items, records), changed: true }))
  }

  /** What `skein top` and errors call this list (its lock's name). */
  get name(): string {
    return this.#store.lock.name
  }

  /** The number of items. */
  get length(): number {
    return this.#store.read('length').length
  }

  /** Item `index` (a fresh copy); negative counts from the end. */
  async get(index: number): Promise<T> {
    const items = this.#store.read('get()')
    const record = items[checkIndex(index, items.length, 'get')] as Uint8Array
    if (!holdsHandles(record)) return decodeValue(record) as Promise<T>
    return decodeValue(this.#retained('get()', (now) => [now[checkIndex(index, now.length, 'get')] as Uint8Array])[0] as Uint8Array) as Promise<T>
  }

  /** Replaces item `index`; negative counts from the end. */
  async set(index: number, value: T): Promise<void> {
    const record = await recordOf(value, 'SharedList.set()')
    this.#write('set()', [record], (items) => {
      const at = checkIndex(index, items.length, 'set')
      const old = items[at] as Uint8Array
      items[at] = record
      return { result: undefined, changed: true, released: holdsHandles(old) ? [old] : undefined }
    })
  }

  /** Appends items; returns the new length. */
  async push(...values: T[]): Promise<number> {
    const records: Uint8Array[] = []
    for (const v of values) records.push(await recordOf(v, 'SharedList.push()'))
    return this.#write('push()', records, (items) => ({ result: append(items, records), changed: records.length > 0 }))
  }

  /** Removes and returns the last item; RangeError if the list is empty. */
  async pop(): Promise<T> {
    const record = this.#store.write('pop()', (items) => {
      if (items.length === 0) throw new RangeError('SharedList.pop(): the list is empty; check length first')
      return { result: items.pop() as Uint8Array, changed: true }
    })
    return decodeValue(record) as Promise<T>
  }

  /** Inserts `value` before item `index` (clamped to the list, as Python's insert). */
  async insert(index: number, value: T): Promise<void> {
    if (typeof index !== 'number' || !Number.isInteger(index)) throw new TypeError(`SharedList.insert(): index must be an integer, got ${String(index)}`)
    const record = await recordOf(value, 'SharedList.insert()')
    this.#write('insert()', [record], (items) => {
      const at = index < 0 ? Math.max(0, items.length + index) : Math.min(index, items.length)
      items.splice(at, 0, record)
      return { result: undefined, changed: true }
    })
  }

  /** Removes every item. */
  async clear(): Promise<void> {
    this.#store.write('clear()', (items) => {
      const released = items.filter(holdsHandles)
      const changed = items.length > 0
      items.length = 0
      return { result: undefined, changed, released }
    })
  }

  /**
   * Atomically replaces item `index` with `fn(old)` and returns the new
   * value; `fn` must be synchronous (see `SharedDict.update` for the rules).
   */
  async update(index: number, fn: (old: T) => T): Promise<T> {
    if (typeof fn !== 'function') throw new TypeError(`SharedList.update(): fn must be a function (old) => new, got ${typeof fn}`)
    for (;;) {
      const items = this.#store.read('update()')
      const old = items[checkIndex(index, items.length, 'update')] as Uint8Array
      if (!holdsHandles(old)) {
        let slow = false
        let next: T | undefined
        this.#store.write('update()', (now) => {
          const at = checkIndex(index, now.length, 'update')
          const current = now[at] as Uint8Array
          if (holdsHandles(current)) {
            slow = true
            return { result: undefined, changed: false }
          }
          next = callUpdate(fn, decodeValueSync(current, '') as T)
          const record = encodeValueSync(next, 'SharedList.update()')
          if (record === undefined) {
            slow = true
            return { result: undefined, changed: false }
          }
          now[at] = record
          return { result: undefined, changed: true }
        })
        if (!slow) return next as T
      }
      // Optimistic path: fn runs outside the lock; commit only if the item is unchanged.
      const current = this.#retained('update()', (now) => [now[checkIndex(index, now.length, 'update')] as Uint8Array])[0] as Uint8Array
      const value = callUpdate(fn, (await decodeValue(current)) as T)
      const record = await encodeValue(value, 'SharedList.update()')
      let done = false
      try {
        done = this.#store.write('update()', (now) => {
          const at = checkIndex(index, now.length, 'update')
          const was = now[at] as Uint8Array
          if (!sameRecord(was, current)) return { result: false, changed: false }
          now[at] = record
          return { result: true, changed: true, released: holdsHandles(was) ? [was] : undefined }
        })
      } finally {
        if (!done && holdsHandles(record)) releaseQuietly(record) // never stored
      }
      if (done) return value
    }
  }

  /** Items `start` to `end` (exclusive; negative counts from the end), as Array.prototype.slice. */
  async slice(start?: number, end?: number): Promise<T[]> {
    let items = this.#store.read('slice()').slice(start, end)
    if (items.some(holdsHandles)) items = this.#retained('slice()', (now) => now.slice(start, end))
    return Promise.all(items.map((r) => decodeValue(r) as Promise<T>))
  }

  /** The index of the first item deeply equal to `value` (node's isDeepStrictEqual), or -1. */
  async indexOf(value: T): Promise<number> {
    const items = await this.toArray()
    return items.findIndex((item) => isDeepStrictEqual(item, value))
  }

  /** A plain array copy of the items. */
  async toArray(): Promise<T[]> {
    return this.slice()
  }

  /** `for await (const item of list)`: the items of one snapshot. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (const item of await this.toArray()) yield item
  }

  /** The descriptor `encode` sends to another thread or process. */
  [kDescribe](): HandleDescriptor {
    return describeStore('skein.SharedList', this.#store)
  }

  /** Writes new `records`; if the write fails they were never stored, so their references go. */
  #write<R>(what: string, records: Uint8Array[], change: (items: Uint8Array[]) => Change<R>): R {
    try {
      return this.#store.write(what, change)
    } catch (error) {
      for (const r of records) if (holdsHandles(r)) releaseQuietly(r)
      throw error
    }
  }

  /** Records picked under the lock, with a reference added for this reader on each that holds shared objects. */
  #retained(what: string, pick: (items: Uint8Array[]) => Uint8Array[]): Uint8Array[] {
    return this.#store.write(what, (items) => {
      const picked = pick(items)
      for (const r of picked) if (holdsHandles(r)) retainRecord(r)
      return { result: picked, changed: false }
    })
  }

  get [Symbol.toStringTag](): string {
    return 'SharedList'
  }
}

function checkIndex(index: number, length: number, what: string): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) throw new TypeError(`SharedList.${what}(): index must be an integer, got ${String(index)}`)
  const at = index < 0 ? length + index : index
  if (at < 0 || at >= length) throw new RangeError(`SharedList.${what}(): index ${index} is out of range for a list of length ${length}`)
  return at
}

function append(items: Uint8Array[], records: Uint8Array[]): number {
  for (const r of records) items.push(r) // not push(...records): that overflows the stack past ~100k items
  return items.length
}

async function recordOf(value: unknown, where: string): Promise<Uint8Array> {
  return holdsShared(value) ? encodeValue(value, where) : (encodeValueSync(value, where) as Uint8Array)
}

function syncRecord(value: unknown, where: string): Uint8Array {
  const record = encodeValueSync(value, where)
  if (record === undefined) throw new TypeError(`${where}: an initial item holds a shared object that describes itself asynchronously (a Value, SharedArray, Condition or Barrier); create the list, then \`await list.push(item)\``)
  return record
}

function callUpdate<T>(fn: (old: T) => T, old: T): T {
  const next = fn(old)
  if (typeof (next as { then?: unknown } | null)?.then === 'function') {
    ;(next as unknown as Promise<unknown>).then(undefined, () => {})
    throw new TypeError('SharedList.update(): fn returned a Promise; it must be synchronous (it runs holding the list\'s lock). Await what you need first, then update; nothing was written')
  }
  return next
}

registerKind('skein.SharedList', (d, segment) =>
  reviveStore('SharedList', model, d, segment, (store) => new SharedList(undefined, { [kInternal]: { store } })))
