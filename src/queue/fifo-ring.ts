/**
 * The FIFO ring under Queue, JoinableQueue, SimpleQueue and each direction
 * of a Pipe: a put side and a take side, each with its own lock and its own
 * committed state (put-side.ts, take-side.ts), so a producer and a consumer
 * never wait for each other's lock; counts are derived (qsize = puts -
 * takes, unfinished = puts - DONE) and `taskDone` is one atomic counter of
 * its own. Readers and blocked writers sleep in wait sets (wait-set.ts)
 * that wake only announced sleepers. docs/queues.md has the design and the
 * exactly-once argument for every kill point.
 */
import { kDescribe } from '../shm/handle.js'
import type { Lock } from '../sync/lock.js'
import { PutSide, type PutOutcome } from './put-side.js'
import { TakeSide } from './take-side.js'
import { WaitSet } from './wait-set.js'
import type { RingMemory } from './ring-memory.js'
import type { Encoded, Taken } from './codec.js'
import * as L from './layout.js'

/** The shared struct of one FIFO queue or pipe direction. */
export class FifoRing {
  readonly memory: RingMemory
  readonly notEmpty: WaitSet
  readonly notFull: WaitSet
  readonly joined: WaitSet
  readonly #put: PutSide
  readonly #take: TakeSide
  readonly #i32: Int32Array

  constructor(m: RingMemory, fresh: boolean) {
    this.memory = m
    this.#i32 = m.i32
    this.notEmpty = new WaitSet(m.segment, L.NOT_EMPTY_AT)
    this.notFull = new WaitSet(m.segment, L.NOT_FULL_AT)
    this.joined = new WaitSet(m.segment, L.JOINED_AT)
    this.#put = new PutSide(m, fresh, () => this.notEmpty.wakeAll())
    this.#take = new TakeSide(m, () => this.notFull.wakeAll())
  }

  /** Whether a frame of `length` payload bytes could ever fit (the capacity). */
  fits(length: number): boolean {
    return L.frameSize(L.FIFO_HEADER, length) <= this.memory.capacity
  }

  /** Items now (a snapshot: puts published minus takes published). */
  count(): number {
    return Math.max(0, (Atomics.load(this.#i32, L.PUB_PUTS) - Atomics.load(this.#i32, L.PUB_TAKES)) | 0)
  }

  /** Items put and not yet marked done (a snapshot). */
  unfinished(): number {
    return Math.max(0, (Atomics.load(this.#i32, L.PUB_PUTS) - Atomics.load(this.#i32, L.DONE)) | 0)
  }

  /** Writes an encoded item and commits it (the caller wakes a reader). */
  put(e: Encoded, _priority: number): PutOutcome {
    return this.#put.put(e)
  }

  /** Takes the oldest item into `into` and commits; false when empty (the caller wakes a writer). */
  take(into: Taken): boolean {
    return this.#take.take(into)
  }

  /**
   * Marks one item done: one CAS on DONE, no lock; false when every item put
   * is done already. The call that makes the count reach 0 wakes `join()`.
   */
  taskDone(): boolean {
    const i32 = this.#i32
    for (;;) {
      const done = Atomics.load(i32, L.DONE)
      const puts = Atomics.load(i32, L.PUB_PUTS)
      if (((puts - done) | 0) <= 0) return false
      if (Atomics.compareExchange(i32, L.DONE, done, (done + 1) | 0) !== done) continue
      if (((puts - done - 1) | 0) === 0) this.joined.wakeAll()
      return true
    }
  }

  /** Closes for further puts (under the put lock: no put commits after it) and wakes everyone. */
  close(): void {
    this.#put.locked(() => Atomics.store(this.#i32, L.CLOSED, 1))
    this.notEmpty.wakeAll()
    this.notFull.wakeAll()
  }

  /** The ring is being described for another thread or process: its locks and waits start hearing from elsewhere. */
  markShared(): void {
    for (const lock of [this.#put.lock, this.#take.lock] as Lock[]) lock[kDescribe]()
    this.notEmpty.markShared()
    this.notFull.markShared()
    this.joined.markShared()
  }
}
