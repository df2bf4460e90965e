/**
 * SharedMemory: a named block of raw shared memory (POSIX shm, /dev/shm).
 */
import { constants } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { SkeinError } from '../errors.js'
import { native } from '../native.js'
import { kDescribe, registerPlainKind, type HandleDescriptor } from '../shm/handle.js'
import { register, unregister } from './resource-tracker.js'

/** Options of {@link SharedMemory}. */
export interface SharedMemoryOptions {
  /** The segment's name, without '/'; default when creating: `skein-<random>`. Required to attach. */
  name?: string
  /** `true`: create a new segment (fails if the name exists); `false` (default): attach to one. */
  create?: boolean
  /** Bytes, a positive integer; required when creating, ignored when attaching. */
  size?: number
  /** Unlink a created segment at exit if it is still linked, with a warning (default `true`). */
  track?: boolean
}

const ENOENT = 2
/** The most bytes a `buf` (one Uint8Array) can view. */
const MAX_SIZE = constants.MAX_LENGTH

/**
 * A block of shared memory with a name, which any process of the same user
 * can attach to with `new SharedMemory({ name })` — no handle passing needed
 * (Python's `multiprocessing.shared_memory.SharedMemory`).
 *
 * Lifecycle, as in Python: `close()` drops this handle's view (call it in
 * every process when done); `unlink()` removes the name (call it once, in
 * the creator, when every process is done) — the memory is freed when the
 * last process has closed it. A creator that exits without `unlink()` has
 * its segments unlinked for it at exit, with a warning (the resource
 * tracker); a creator killed by SIGKILL (or an unhandled SIGTERM/SIGINT)
 * leaks them in /dev/shm. `close()` cannot unmap memory JS still references:
 * views taken from `buf` stay valid until garbage collected, while `buf`
 * itself throws after close.
 *
 * @example
 * import { SharedMemory } from 'skein'
 * const shm = new SharedMemory({ create: true, size: 16 })
 * shm.buf[0] = 42
 * const other = new SharedMemory({ name: shm.name }) // e.g. in another process
 * console.log(other.buf[0], other.size) // 42 16
 * other.close(); shm.close(); shm.unlink()
 */
export class SharedMemory implements Disposable {
  /** The segment's name (as in /dev/shm, without '/'). */
  readonly name: string
  /** The size in bytes. */
  readonly size: number
  #buf: Uint8Array | null
  #tracked: boolean

  constructor(options: SharedMemoryOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('SharedMemory: options must be an object like { name, create, size }')
    }
    const { name, create = false, size, track = true } = options
    if (name !== undefined) checkName(name)
    if (typeof create !== 'boolean') throw new TypeError(`SharedMemory: options.create must be a boolean; got ${typeof create}`)
    let sab: SharedArrayBuffer
    if (create) {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
        throw new RangeError(`SharedMemory: options.size must be a positive integer number of bytes when creating; got ${String(size)}`)
      }
      if (size > MAX_SIZE) {
        throw new RangeError(`SharedMemory: options.size ${size} is more than one segment's buf can view (at most ${MAX_SIZE} bytes); use several segments`)
      }
      ;[this.name, sab] = name === undefined ? createUnique(size) : [name, open(name, size, true)]
      this.size = size
      try {
        this.#buf = new Uint8Array(sab)
      } catch (error) {
        native.unlinkNamed(this.name) // ours, and unusable: leave nothing in /dev/shm
        throw error
      }
      this.#tracked = track !== false
      if (this.#tracked) register(this.name)
    } else {
      if (name === undefined) throw new TypeError('SharedMemory: options.name is required to attach; pass { create: true, size } to make a new segment')
      sab = open(name, 0, false)
      if (sab.byteLength > MAX_SIZE) {
        throw new RangeError(`SharedMemory: '${name}' holds ${sab.byteLength} bytes, more than a buf can view (at most ${MAX_SIZE}); it was made by another program`)
      }
      this.name = name
      this.size = sab.byteLength
      this.#tracked = false
      this.#buf = new Uint8Array(sab)
    }
  }

  /** The bytes of the segment; throws after `close()`. */
  get buf(): Uint8Array {
    if (this.#buf === null) {
      throw new SkeinError(`SharedMemory '${this.name}' is closed: attach again with new SharedMemory({ name: '${this.name}' })`, 'ERR_SKEIN_CLOSED')
    }
    return this.#buf
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#buf === null
  }

  /** Drops this handle's view of the memory. Idempotent; the segment's name stays until `unlink()`. */
  close(): void {
    this.#buf = null
  }

  /**
   * Removes the segment's name, so nobody new can attach; processes that
   * have it keep using it. Call once, usually in the creator. Throws with
   * `code === 'ENOENT'` if the name is already gone.
   */
  unlink(): void {
    const errno = native.unlinkNamed(this.name)
    unregister(this.name)
    this.#tracked = false
    if (errno !== 0) {
      const code = errno === ENOENT ? 'ENOENT' : `errno ${errno}`
      throw Object.assign(new SkeinError(`SharedMemory: cannot unlink '${this.name}' (${code})${errno === ENOENT ? ': it was already unlinked' : ''}`, code), { errno })
    }
  }

  /** `using shm = new SharedMemory(...)` closes it (does not unlink). */
  [Symbol.dispose](): void {
    this.close()
  }

  /** The cloneable descriptor `encode` sends to another thread or process (it names the segment). */
  [kDescribe](): HandleDescriptor {
    this.buf // throws if closed
    return { kind: 'skein.SharedMemory', name: this.name }
  }

  toString(): string {
    return `SharedMemory('${this.name}', size=${this.size})`
  }
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 250 || /[/\0]/.test(name) || name === '.' || name === '..') {
    throw new TypeError(`SharedMemory: options.name must be a non-empty string of at most 250 characters without '/' or NUL, and not '.' or '..' (they name directories); got ${JSON.stringify(name) ?? typeof name}`)
  }
}

function createUnique(size: number): [string, SharedArrayBuffer] {
  for (let attempt = 0; ; attempt++) {
    const name = `skein-${randomBytes(8).toString('hex')}`
    try {
      return [name, open(name, size, true)]
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST' || attempt >= 8) throw error
    }
  }
}

function open(name: string, size: number, create: boolean): SharedArrayBuffer {
  try {
    return native.openNamed(name, size, create)
  } catch (error) {
    const text = String((error as Error).message)
    if (text.includes('File exists')) {
      throw new SkeinError(`SharedMemory: a segment named '${name}' already exists: attach to it with { name: '${name}' }, or choose another name`, 'EEXIST', { cause: error })
    }
    if (text.includes('No such file')) {
      throw new SkeinError(`SharedMemory: no segment named '${name}': create it with { name: '${name}', create: true, size }, or check the name`, 'ENOENT', { cause: error })
    }
    throw new SkeinError(`SharedMemory: cannot open '${name}': ${text}`, 'ERR_SKEIN_SHARED_MEMORY', { cause: error })
  }
}

registerPlainKind('skein.SharedMemory', (d) => new SharedMemory({ name: d.name as string }))
