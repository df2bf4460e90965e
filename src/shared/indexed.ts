/**
 * Indexed: `a[i]` and `a[i] = x` on a RawArray or SharedArray reach the
 * shared memory, as item access does on Python's sharedctypes arrays.
 *
 * How it works. {@link Indexed}'s constructor returns a Proxy over the new
 * object, so the subclasses' constructors run with the Proxy as `this`: their
 * private fields live on the Proxy itself, and their methods (called on the
 * Proxy) find them. The traps only act on keys that are canonical numeric
 * strings ('0', '-1', '1.5'); any other access is the plain one, so
 * `a.array`, `a.get(0)` or `a.withLock(...)` cost one cheap key test more.
 * `a[i]` is `a.get(i)` and `a[i] = x` is `a.set(i, x)`: bounds-checked
 * (negative indexes count from the end), type-checked, atomic per element
 * for integer codes. Out of range or of the wrong type is an error, never a
 * plain property quietly set beside the memory.
 */

/** What the traps use of the array. */
interface IndexedArray {
  get(index: number): unknown
  set(index: number, value: unknown): void
  readonly length: number
}

/** The Proxy that stands for each target (the traps that get no receiver need it). */
const proxies = new WeakMap<object, IndexedArray>()

const handler: ProxyHandler<object> = {
  get(target, key, receiver) {
    const i = indexOf(key)
    return i === undefined ? Reflect.get(target, key, receiver) : proxies.get(target)!.get(i)
  },
  set(target, key, value, receiver) {
    const i = indexOf(key)
    if (i === undefined) return Reflect.set(target, key, value, receiver)
    const array = proxies.get(target)!
    // An object that merely inherits from the array (`Object.create(a)`, or
    // `o.__proto__ = a`) gets its own property, as with a typed array.
    if (receiver !== array) return ownProperty(receiver, key as string, value)
    array.set(i, value)
    return true
  },
  has(target, key) {
    const i = indexOf(key)
    if (i === undefined) return Reflect.has(target, key)
    const n = proxies.get(target)!.length
    return Number.isInteger(i) && i >= -n && i < n
  },
  defineProperty(target, key, descriptor) {
    if (indexOf(key) !== undefined) throw new TypeError(`can't define property '${String(key)}' on a shared array: assign elements with a[i] = x or a.set(i, x)`)
    return Reflect.defineProperty(target, key, descriptor)
  },
  // `a['__proto__'] = x` (a key like any other to code that indexes by user input) must not unmake the array.
  setPrototypeOf() {
    return false
  },
  deleteProperty(target, key) {
    if (indexOf(key) !== undefined) throw new TypeError(`can't delete element '${String(key)}' of a shared array: its length is fixed; set it to 0 instead`)
    return Reflect.deleteProperty(target, key)
  },
}

/** `receiver[key] = value` as an ordinary [[Set]] that found a writable data property up its prototype chain. */
function ownProperty(receiver: unknown, key: string, value: unknown): boolean {
  if ((typeof receiver !== 'object' && typeof receiver !== 'function') || receiver === null) return false
  const own = Reflect.getOwnPropertyDescriptor(receiver, key)
  if (own === undefined) return Reflect.defineProperty(receiver, key, { value, writable: true, enumerable: true, configurable: true })
  return own.writable === true && Reflect.defineProperty(receiver, key, { value }) // an accessor or read-only: false
}

/** The index a property key names, if it is a canonical numeric string. */
function indexOf(key: string | symbol): number | undefined {
  if (typeof key !== 'string' || key.length === 0) return undefined
  const c = key.charCodeAt(0)
  if (!((c >= 48 && c <= 57) || c === 45 /* - */ || c === 73 /* Infinity */ || c === 78 /* NaN */)) return undefined
  const n = Number(key)
  return String(n) === key ? n : undefined
}

/** The base of RawArray: makes `a[i]` reach `get`/`set`. */
export class Indexed {
  constructor() {
    const proxy = new Proxy(this, handler)
    proxies.set(this, proxy as unknown as IndexedArray)
    return proxy
  }
}
