/**
 * Namespace: attribute-style shared state (Python's `Manager().Namespace()`).
 *
 * How it works: a Proxy over a {@link SharedDict} with string keys.
 * Attribute reads and writes are synchronous (`ns.x = 1`, `ns.x`), so they
 * use the dict's synchronous paths: a write takes the dict's lock for a few
 * microseconds, a read of an unchanged namespace is one atomic load.
 */
import { inspect } from 'node:util'
import { kDescribe, registerKind, type HandleDescriptor } from '../shm/handle.js'
import { SharedDict, kInternal, reviveStore, dictModel, type Internal, type SharedDictOptions } from './shared-dict.js'

const FIX = "keep such objects in a SharedDict (manager.dict()) and use `await dict.get(key)` / `await dict.set(key, value)`"

/**
 * Shared attributes: every task, thread and process holding the namespace
 * (pass it as an argument) sees the same attributes.
 *
 * @example
 * import { Namespace } from 'skein'
 * const ns = new Namespace({ status: 'idle' })
 * ns.status = 'running'
 * ns.count = 3
 * console.log(ns.status, ns.count, Object.keys(ns)) // running 3 [ 'status', 'count' ]
 *
 * Semantics. Attributes hold anything structured clone takes (each read is
 * a fresh copy: `ns.list.push(1)` changes only that copy — assign it back)
 * and the shared objects that attach synchronously (Lock, Event, Semaphore,
 * SharedDict…). Assigning a value that can't be cloned is a TypeError and
 * writes nothing. A Value, SharedArray, Condition or Barrier attaches
 * asynchronously, so it can't be an attribute: keep it in a SharedDict.
 * `then` is reserved (a namespace must not look like a Promise).
 * `ns.x += 1` is a read then a write, not atomic: guard it with a Lock, or
 * use a SharedDict's `update`.
 */
export type Namespace<T extends object = Record<string, unknown>> = T

interface NamespaceConstructor {
  /** A new namespace with the attributes of `init`. */
  new <T extends object = Record<string, unknown>>(init?: NoInfer<Partial<T>>, options?: SharedDictOptions): Namespace<T>
  readonly prototype: object
}

function makeNamespace(this: unknown, init?: object, options?: SharedDictOptions & { [kInternal]?: Internal }): object {
  if (new.target === undefined) throw new TypeError("Namespace: call it with 'new' (new Namespace({ x: 1 })), or use manager.Namespace()")
  if (init !== undefined && (typeof init !== 'object' || init === null)) {
    throw new TypeError(`Namespace: the initial attributes must be a plain object like { x: 1 }; got ${init === null ? 'null' : typeof init}`)
  }
  const entries = init === undefined ? [] : Object.entries(init)
  if (entries.some(([k]) => k === 'then')) throw reserved()
  const internal = options?.[kInternal]
  const dict = new SharedDict<string, unknown>(entries, { ...options, [kInternal]: { owner: 'Namespace', ...internal } })
  return proxyOver(dict)
}

Object.defineProperty(makeNamespace, 'name', { value: 'Namespace' })

/** The Namespace class: `new Namespace(init?)`; `manager.Namespace(init?)` ties one to a Manager. */
export const Namespace = makeNamespace as unknown as NamespaceConstructor

function proxyOver(dict: SharedDict<string, unknown>): object {
  const describe = (): HandleDescriptor => ({ ...dict[kDescribe](), kind: 'skein.Namespace' })
  const show = (): string => `Namespace(${dict.keys().map((k) => `${k}=${inspect(dict.getSync(k, FIX))}`).join(', ')})`
  // console.log inspects a Proxy's target without its traps: the target shows the contents.
  const target = Object.create(Namespace.prototype, { [inspect.custom]: { value: show, configurable: true } }) as object
  return new Proxy(target, {
    get(_t, prop) {
      if (typeof prop === 'symbol') {
        if (prop === kDescribe) return describe
        if (prop === Symbol.toStringTag) return 'Namespace'
        if (prop === inspect.custom) return show
        return undefined
      }
      if (prop === 'then') return undefined
      return dict.getSync(prop, FIX)
    },
    set(_t, prop, value) {
      if (typeof prop === 'symbol') throw new TypeError('Namespace: attribute names must be strings, not symbols')
      if (prop === 'then') throw reserved()
      if (!dict.setSync(prop, value, `Namespace: setting '${prop}'`)) {
        throw new TypeError(`Namespace: '${prop}' can't hold a shared object that describes itself asynchronously (a Value, SharedArray, Condition or Barrier); ${FIX}`)
      }
      return true
    },
    deleteProperty(_t, prop) {
      if (typeof prop === 'string') dict.deleteSync(prop)
      return true
    },
    has(_t, prop) {
      if (typeof prop === 'symbol') return prop === kDescribe
      return dict.has(prop)
    },
    ownKeys() {
      return dict.keys()
    },
    getOwnPropertyDescriptor(_t, prop) {
      if (typeof prop === 'symbol' || !dict.has(prop)) return undefined
      return { value: dict.getSync(prop, FIX), writable: true, enumerable: true, configurable: true }
    },
    defineProperty(_t, prop, desc) {
      if (typeof prop === 'symbol' || !('value' in desc)) throw new TypeError('Namespace: only plain string-named attributes can be defined (no symbols, getters or setters)')
      if (prop === 'then') throw reserved()
      if (!dict.setSync(prop, desc.value, `Namespace: setting '${prop}'`)) throw new TypeError(`Namespace: '${prop}' can't hold that shared object; ${FIX}`)
      return true
    },
    setPrototypeOf() {
      return false
    },
  })
}

function reserved(): TypeError {
  return new TypeError("Namespace: 'then' is reserved (a namespace with a then attribute would look like a Promise to await); pick another name")
}

registerKind('skein.Namespace', (d, segment) =>
  reviveStore('Namespace', dictModel, d, segment, (store) => proxyOver(new SharedDict<string, unknown>(undefined, { [kInternal]: { store } }))))
