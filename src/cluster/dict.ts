/**
 * The cluster dict: Python's `Manager().dict()` across machines, a Redis
 * hash.
 *
 * How it works. `ns:dict:name` maps each key to its value (codec.ts bytes);
 * `ns:dict:name:version` maps each key to a number bumped by every write of
 * it. `update(key, fn)` is optimistic: it reads the value and its version
 * in one script, runs `fn` here, then writes through a compare-and-set
 * script that refuses if the version moved — and starts over. No WATCH, so
 * no connection of its own; conflicts cost a round trip, not a lock.
 */
import type { ClusterConnection } from './redis/connection.js'
import { ClusterObject } from './object.js'
import { decodeValue, encodeValue } from './redis/codec.js'
import { Script } from './redis/script.js'

/** KEYS values, versions; ARGV field, value. */
const SET = new Script(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1`)

/** KEYS values, versions; ARGV field. {version, value?}: version '' when absent. */
const READ = new Script(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return {''} end
return {redis.call('HGET', KEYS[2], ARGV[1]) or '0', v}`)

/** KEYS values, versions; ARGV field, version read ('' when it was absent), new value. 1 written, 0 changed meanwhile. */
const COMPARE_AND_SET = new Script(`
local now = ''
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then now = redis.call('HGET', KEYS[2], ARGV[1]) or '0' end
if now ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1`)

/** KEYS values, versions; ARGV field. 1 if it was there. */
const DELETE = new Script(`
local n = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return n`)

/**
 * A dictionary shared by every process on every machine that names it, with
 * an atomic `update(key, fn)`. Keys are strings; values are structured
 * clones (Map, Set, Date, BigInt, typed arrays, nested objects), and cluster
 * objects in them arrive as the same objects.
 *
 * @example
 * import { connect } from 'skein/cluster'
 * await using cluster = await connect({ url: 'redis://127.0.0.1:6379' })
 * const scores = cluster.dict<number>('scores')
 * await scores.set('ada', 1)
 * await scores.update('ada', (n = 0) => n + 1)   // atomic read-modify-write, on every machine
 * console.log(await scores.get('ada'), await scores.size()) // 2 1
 *
 * Semantics. Every method is async (a round trip to Redis; there are no
 * `*Sync` forms) and each write is atomic. Each read returns a fresh copy:
 * changing it changes nothing shared — write it back with `set`, or use
 * `update`, which retries `fn` when another writer changed the key between
 * its read and its write (so keep `fn` free of side effects).
 */
export class ClusterDict<V = unknown> extends ClusterObject implements AsyncIterable<[string, V]> {
  declare readonly __value?: V

  /** @internal Use `cluster.dict(name)`. */
  constructor(cluster: ClusterConnection, name: string) {
    super(cluster, name, 'dict')
  }

  /** The value of `key` (a fresh copy), or undefined. */
  async get(key: string): Promise<V | undefined> {
    const bytes = await this.cluster.redis.hgetBuffer(this.key(), checkKey(key, 'get'))
    return bytes === null ? undefined : ((await decodeValue(bytes, this.cluster.url, 'cluster.dict')) as V)
  }

  /** Sets `key` to `value`. A value that can't be cloned is a TypeError, and nothing is written. */
  async set(key: string, value: V): Promise<this> {
    const bytes = await encodeValue(value, 'cluster.dict.set()')
    await SET.run(this.cluster.redis, this.#keys(), [checkKey(key, 'set'), bytes])
    return this
  }

  /** Whether `key` is in the dict. */
  async has(key: string): Promise<boolean> {
    return (await this.cluster.redis.hexists(this.key(), checkKey(key, 'has'))) === 1
  }

  /** Removes `key`; true if it was there. */
  async delete(key: string): Promise<boolean> {
    return Number(await DELETE.run(this.cluster.redis, this.#keys(), [checkKey(key, 'delete')])) === 1
  }

  /** The number of entries. */
  async size(): Promise<number> {
    return this.cluster.redis.hlen(this.key())
  }

  /** The keys (a snapshot, in no particular order). */
  async keys(): Promise<string[]> {
    return (await this.cluster.redis.hkeysBuffer(this.key())).map(keyOf)
  }

  /** The values (a snapshot, fresh copies). */
  async values(): Promise<V[]> {
    return (await this.entries()).map(([, v]) => v)
  }

  /** The `[key, value]` pairs (a snapshot, fresh copies). */
  async entries(): Promise<[string, V][]> {
    const flat = (await this.cluster.redis.callBuffer('HGETALL', this.key())) as Buffer[]
    const out: [string, V][] = []
    for (let i = 0; i + 1 < flat.length; i += 2) out.push([keyOf(flat[i] as Buffer), (await decodeValue(flat[i + 1] as Buffer, this.cluster.url, 'cluster.dict')) as V])
    return out
  }

  /** Removes every entry. */
  async clear(): Promise<void> {
    await this.cluster.redis.del(this.key(), this.key('version'))
  }

  /**
   * Atomically replaces the value of `key` with `fn(old)` (old is undefined
   * if absent) and returns the new value: no write by anyone anywhere comes
   * between the read `fn` saw and the write. `fn` may be async; it runs
   * again (with the newer value) when another writer got in between, so
   * keep it free of side effects. If `fn` throws, nothing is written.
   */
  async update(key: string, fn: (old: V | undefined) => V | Promise<V>): Promise<V> {
    if (typeof fn !== 'function') throw new TypeError(`cluster.dict.update(): fn must be a function (old) => new, got ${typeof fn}`)
    const field = checkKey(key, 'update')
    for (let attempt = 0; ; attempt++) {
      const [version, bytes] = (await READ.runBuffer(this.cluster.redis, this.#keys(), [field])) as [Buffer, Buffer | undefined]
      const old = bytes === undefined ? undefined : ((await decodeValue(bytes, this.cluster.url, 'cluster.dict')) as V)
      const next = await fn(old)
      const encoded = await encodeValue(next, 'cluster.dict.update()')
      if (Number(await COMPARE_AND_SET.run(this.cluster.redis, this.#keys(), [field, version, encoded])) === 1) return next
      // Many writers on one key: spread the retries out a little so one of them gets through.
      if (attempt >= 3) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 20)))
    }
  }

  /** Yields the `[key, value]` pairs of a snapshot. */
  async *[Symbol.asyncIterator](): AsyncIterator<[string, V]> {
    yield* await this.entries()
  }

  #keys(): string[] {
    return [this.key(), this.key('version')]
  }
}

/**
 * A key as a hash field. Redis stores bytes and ioredis sends strings as
 * UTF-8, where every lone surrogate becomes U+FFFD ('k\uD800' and
 * 'k\uDBFF' would be one field). A well-formed key is its UTF-8 (readable
 * in redis-cli); any other is 0xFF — a byte UTF-8 never holds — then its
 * UTF-16 code units, so distinct strings stay distinct fields.
 */
function checkKey(key: unknown, method: string): string | Buffer {
  if (typeof key !== 'string') throw new TypeError(`cluster.dict.${method}(key): keys are strings (got ${typeof key}); turn numbers into strings with String(key)`)
  return LONE_SURROGATE.test(key) ? Buffer.concat([NOT_UTF8, Buffer.from(key, 'utf16le')]) : key
}

/** The key a hash field holds (see {@link checkKey}). */
function keyOf(field: Buffer): string {
  return field[0] === NOT_UTF8[0] ? field.toString('utf16le', 1) : field.toString('utf8')
}

const LONE_SURROGATE = /\p{Cs}/u
const NOT_UTF8 = Buffer.from([0xff])
