/**
 * Walks: the one traversal under every crossing of a value that may hold
 * shared objects (handle.ts's encode/decode and their *Sync forms, discard,
 * the Manager's reference counting, the cluster's local-object check).
 *
 * How it works. A walk looks into what structured clone looks into and a
 * shared object can hide in: arrays, plain objects (Object.prototype or null
 * prototype), Maps and Sets. Everything else (primitives, byte arrays, Dates,
 * class instances) is passed as it is. Like structured clone, a walk follows
 * each object once: a cycle, or one object reached twice, comes out as the
 * same copy reached the same ways (a recursion without that memo overflows
 * the stack on the first cycle).
 *
 * {@link copyTree} copies a value, asking a policy what becomes of each
 * object (a shared object becomes a marker; a marker becomes the shared
 * object again) and how each plain-object key is written (marker escaping).
 * A policy's answer may be a Promise (a Value describes itself
 * asynchronously): {@link copyTreeAsync} waits for all of them and patches
 * them in, so one walk serves the synchronous and the asynchronous forms.
 * Map and Set contents are filled in only then, since a pending member can't
 * be put in its place later without changing the order.
 */

/** A policy's answer meaning "not a leaf: copy this object and walk into it". */
export const DESCEND: unique symbol = Symbol('skein.walk.descend')

/** What a copying walk does at each object it meets. */
export interface CopyPolicy {
  /**
   * The replacement for `node`, or {@link DESCEND}. Called once per object
   * (a second meeting reuses the answer). A Promise is allowed only in
   * {@link copyTreeAsync}.
   */
  leaf(node: object): unknown
  /** The key to write for a plain object's own key `key` (for marker escaping). */
  key(key: string): string
}

/** Copies `value` under `policy`; throws if the policy answers with a Promise. */
export function copyTree(value: unknown, policy: CopyPolicy): unknown {
  if (!needsWalk(value)) return value
  const copy = new Copy(policy)
  const out = copy.node(value)
  if (copy.later.length > 0 || out instanceof Pending) throw new TypeError('copyTree(): a leaf was asynchronous; use copyTreeAsync')
  copy.fill()
  return out
}

/** Copies `value` under `policy`, waiting for the policy's asynchronous answers. */
export async function copyTreeAsync(value: unknown, policy: CopyPolicy): Promise<unknown> {
  if (!needsWalk(value)) return value
  const copy = new Copy(policy)
  const out = copy.node(value)
  if (copy.later.length > 0) await Promise.all(copy.later)
  copy.fill()
  return out instanceof Pending ? out.promise : out
}

/** What {@link visitTree} does after meeting a node: go on into it (undefined), not into it, or end the walk. */
export type VisitStep = 'skip' | 'stop' | void

/**
 * Visits every object inside `value` once (arrays, plain objects, Maps, Sets
 * and what they hold; `enter` may skip one's contents). Iterative, so any
 * depth is fine. Returns true when `enter` stopped the walk.
 */
export function visitTree(value: unknown, enter: (node: object) => VisitStep): boolean {
  if (!needsWalk(value)) return false
  const seen = new Set<object>()
  const todo: unknown[] = [value]
  while (todo.length > 0) {
    const node = todo.pop()
    if (!needsWalk(node) || seen.has(node)) continue
    seen.add(node)
    const step = enter(node)
    if (step === 'stop') return true
    if (step === 'skip') continue
    if (Array.isArray(node) || node instanceof Set) for (const v of node) todo.push(v)
    else if (node instanceof Map) for (const [k, v] of node) todo.push(k, v)
    else if (isPlainObject(node)) for (const k of Object.keys(node)) todo.push(node[k])
  }
  return false
}

/** Whether `value` is a container a walk must look into (not a primitive, nor raw bytes). */
export function needsWalk(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer) && !(value instanceof SharedArrayBuffer)
}

/** Whether `value` is a plain object (Object.prototype or null prototype). */
export function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * A policy's asynchronous answer, waiting to be patched in. Only these are
 * waited for: a user's own Promise inside a value is data (structured clone
 * then refuses it), never something the walk awaits.
 */
class Pending {
  constructor(readonly promise: Promise<unknown>) {}
}

/** One copying walk: the memo of what each object became, the answers still pending, the Map/Set fills. */
class Copy {
  readonly #memo = new Map<object, unknown>()
  readonly later: Promise<void>[] = []
  readonly #fills: Array<() => void> = []

  constructor(readonly policy: CopyPolicy) {}

  node(value: unknown): unknown {
    if (!needsWalk(value)) return value
    if (this.#memo.has(value)) return this.#memo.get(value)
    const leaf = this.policy.leaf(value)
    if (leaf !== DESCEND) {
      const out = leaf instanceof Promise ? new Pending(leaf) : leaf
      this.#memo.set(value, out)
      return out
    }
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length)
      this.#memo.set(value, out)
      for (let i = 0; i < value.length; i++) if (i in value) this.#put(out, i, this.node(value[i]))
      return out
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>()
      this.#memo.set(value, out)
      const pairs = this.#members([...value].flat())
      this.#fills.push(() => {
        for (let i = 0; i < pairs.length; i += 2) out.set(pairs[i], pairs[i + 1])
      })
      return out
    }
    if (value instanceof Set) {
      const out = new Set<unknown>()
      this.#memo.set(value, out)
      const members = this.#members([...value])
      this.#fills.push(() => {
        for (const m of members) out.add(m)
      })
      return out
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {}
      this.#memo.set(value, out)
      for (const k of Object.keys(value)) this.#put(out, this.policy.key(k), this.node(value[k]))
      return out
    }
    this.#memo.set(value, value)
    return value
  }

  /** Fills the Maps and Sets (after every pending answer is in). */
  fill(): void {
    for (const f of this.#fills) f()
  }

  #members(values: unknown[]): unknown[] {
    const out: unknown[] = new Array(values.length)
    for (let i = 0; i < values.length; i++) this.#put(out, i, this.node(values[i]))
    return out
  }

  #put(target: object, key: string | number, v: unknown): void {
    if (v instanceof Pending) {
      this.later.push(v.promise.then((x) => setOwn(target, key, x)))
      setOwn(target, key, undefined) // holds the key's place in the order
    } else {
      setOwn(target, key, v)
    }
  }
}

/** `target[key] = v`, except that an own `__proto__` key stays an own key (an assignment would set the prototype). */
function setOwn(target: object, key: string | number, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true })
  else (target as Record<string | number, unknown>)[key] = v
}
