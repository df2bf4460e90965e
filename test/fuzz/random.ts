// Random arguments for the fuzz test: seeded (mulberry32), so a seed
// replays the same calls. The pool mixes what careless and hostile callers
// pass: wrong types, edge numbers, lone surrogates, forged markers, cycles,
// options objects with bad fields, and shared objects in odd places.
import { Lock, Event } from '../../src/index.js'

/** A user's own error (thrown by a hostile getter or callback): passing it on is right. */
export class UserError extends Error {}

/** A seeded random source. */
export class Random {
  #state: number

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }

  chance(p: number): boolean {
    return this.next() < p
  }
}

/** Derives a per-subject seed, so each subject replays alone. */
export function seedFor(seed: number, name: string): number {
  let h = seed >>> 0
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0
  return h
}

const numbers = [0, 1, 2, -1, -0, 0.5, 1.5, 3, 7, 16, 100, 255, 256, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity]
const strings = ['', 'x', 'a\uD800', '\uDFFFz', '\u0000', '..', '.', '/', '__proto__', 'constructor', '__skein_handle__', 'then', 'x'.repeat(300), '1', '-1', 'i', 'd', 'q', 'forkserver', 'spawn']
const bigints = [0n, 1n, -1n, 2n ** 63n, 2n ** 64n, -(2n ** 64n)]

/** A small bounded timeout, so a valid blocking call never waits long. */
function smallTimeout(r: Random): number {
  return r.pick([0, 1, 5, 20])
}

/** A random plain-ish value (depth-limited). */
export function value(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 12)) {
    case 0: return r.pick(numbers)
    case 1: return r.pick(strings)
    case 2: return r.pick([true, false, null, undefined])
    case 3: return r.pick(bigints)
    case 4: return r.int(1000) - 500
    case 5: return r.pick([Symbol('s'), () => 1, function named() {}, new Date(r.int(1e12)), new Uint8Array(r.int(8)), /re/g, new Error('e')])
    case 6: return Array.from({ length: r.int(4) }, () => value(r, depth + 1))
    case 7: return object(r, depth)
    case 8: return new Map(Array.from({ length: r.int(3) }, () => [value(r, depth + 1), value(r, depth + 1)]))
    case 9: return new Set(Array.from({ length: r.int(3) }, () => value(r, depth + 1)))
    case 10: return odd(r)
    default: return options(r)
  }
}

function object(r: Random, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  // Own properties, '__proto__' included (as JSON.parse makes them): `o[k] = v`
  // would set the prototype instead, and V8 then throws while building the
  // arguments (a BigInt set at index '1' of an object whose prototype is an
  // empty Uint8Array), before any call is made.
  for (let i = r.int(4); i > 0; i--) Object.defineProperty(o, r.pick(['a', 'b', ...strings]), { value: value(r, depth + 1), writable: true, enumerable: true, configurable: true })
  return o
}

/** Hostile shapes: cycles, own __proto__, forged markers, shared objects, promises, weak collections. */
function odd(r: Random): unknown {
  switch (r.int(8)) {
    case 0: {
      const o: Record<string, unknown> = { lock: new Lock() }
      o.self = o
      return o
    }
    case 1: return JSON.parse('{"__proto__": {"polluted": 1}, "x": 1}')
    case 2: return { __skein_handle__: { kind: r.pick(['Lock', 'Semaphore', 'skein.RawArray', 'skein.cluster', 'nope']), segment: { token: r.pick(['', 'AAAAAAAAAAAAAAAA']), pid: r.pick([process.pid, 1, 0, -1]), fd: r.pick([0, 1, 3, 1e9]), size: r.pick([0, 16, 4096, 2 ** 40]) }, offset: r.pick([0, 16, -8, 2 ** 31]) } }
    case 3: return [new Event(), new Lock(), 'x']
    case 4: return Promise.resolve(1)
    case 5: return new WeakMap()
    case 6: return Object.create(null)
    default: return new Proxy({}, { get: () => { throw new UserError('hostile getter') } })
  }
}

/** An options object: mostly the fields blocking calls take, with good and bad values. */
export function options(r: Random): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  if (r.chance(0.6)) o.timeout = r.chance(0.5) ? smallTimeout(r) : r.pick([...numbers, 'x', null, {}, -5])
  if (r.chance(0.3)) o.blocking = r.chance(0.7) ? r.chance(0.5) : r.pick(['no', 0, 1, null])
  if (r.chance(0.3)) o.block = r.chance(0.7) ? r.chance(0.5) : r.pick(['no', 0, 1, null])
  if (r.chance(0.15)) o.signal = r.pick([AbortSignal.abort(), AbortSignal.timeout(5), 'signal', {}])
  if (r.chance(0.2)) o[r.pick(['lock', 'capacity', 'maxsize', 'mode', 'name', 'size', 'create', 'track', 'parties', 'action'])] = value(r, 2)
  return o
}

/**
 * Arguments for one call: usually a few random values, sometimes nothing,
 * sometimes plausible ones (so calls get past validation and do things).
 */
export function args(r: Random, plausible: () => unknown[]): unknown[] {
  const roll = r.next()
  if (roll < 0.15) return []
  if (roll < 0.5) return plausible()
  return Array.from({ length: 1 + r.int(3) }, () => value(r))
}
