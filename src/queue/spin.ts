/**
 * Adaptive spinning before a queue waiter sleeps.
 *
 * A peer in full flow (a producer on another CPU, the other end of a
 * ping-pong) puts the next item sooner than a futex sleep and wake-up take,
 * so a waiter first watches the queue for a few microseconds. How long, and
 * whether at all, is learnt from how the last waits ended:
 *
 * - a spin that sees the item keeps spinning as it is;
 * - a spin that failed, followed by a sleep that ended soon after (the peer
 *   answered just too late, or was itself waking from a sleep), doubles the
 *   spin, up to MAX_MS: spinning a little longer beats a sleep and a wake-up,
 *   and keeps two peers from falling asleep in turn;
 * - a spin that failed, followed by a long sleep (the peer is idle, or not on
 *   a CPU because the machine is busy), resets the spin and skips the next
 *   ones, twice as many each time (up to MAX_SKIP): spinning then only burns
 *   the CPU the peer needs.
 */

/** How long a spin watches at first (ms). */
const BASE_MS = 0.04
/** The longest a spin grows (ms): about one sleep and wake-up on a busy machine. */
const MAX_MS = 0.25
/** A sleep that ended within this of the failed spin (ms) was a near miss. */
const NEAR_MS = 0.4
const MAX_SKIP = 64
/** @internal Looks at the queue between two readings of the clock (each look is a shared-memory read, ~0.05–0.1 µs). */
export const CHECKS = 64
/**
 * `#failedAt` when no spin has failed: a double, as the clock readings the
 * field holds, so the field never changes representation (a change
 * deoptimizes the code a fork server child inherits: process/warm-queue.ts).
 */
const NO_FAILURE = -Infinity

/** One waiter's spinning policy (per queue handle and direction). */
export class Spinner {
  #skip = 0
  #backoff = 0
  #ms = BASE_MS
  #failedAt = NO_FAILURE
  readonly #now: () => number

  /** `now`: the clock in ms (a test's own, so that what counts as near or long does not depend on the machine's load). */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now
  }

  /** Watches `ready` for a few microseconds unless recent waits were long; true once it held. */
  spin(ready: () => boolean): boolean {
    if (this.#skip > 0) {
      this.#skip--
      return false
    }
    const until = this.#now() + this.#ms
    let now: number
    do {
      // The clock is read once per CHECKS looks: reading it allocates on Node 20 (performance.now() builds an array).
      for (let i = 0; i < CHECKS; i++) {
        if (ready()) {
          this.#backoff = 0
          return true
        }
      }
      now = this.#now()
    } while (now < until)
    this.#failedAt = now
    return false
  }

  /** Wrap the sleep that follows a failed spin (`waited(await ...)`): learns from how long it took; returns `outcome`. */
  waited<T>(outcome: T): T {
    if (this.#failedAt === NO_FAILURE) return outcome
    const slept = this.#now() - this.#failedAt
    this.#failedAt = NO_FAILURE
    if (slept <= NEAR_MS) {
      this.#ms = Math.min(this.#ms * 2, MAX_MS)
      this.#backoff = 0
    } else {
      this.#ms = BASE_MS
      this.#backoff = this.#backoff === 0 ? 1 : Math.min(this.#backoff * 2, MAX_SKIP)
      this.#skip = this.#backoff
    }
    return outcome
  }
}
