/**
 * Adaptive spinning before a queue waiter sleeps.
 *
 * A peer in full flow (a producer on another CPU) puts the next item sooner
 * than a futex sleep and wake-up take, so a waiter first watches the queue
 * for a few microseconds. When the peer is not running (the machine is
 * busy, or the peer is idle) spinning only burns the CPU the peer needs: so
 * after a spin that failed, the next ones are skipped, twice as many each
 * time (up to MAX_SKIP), and a spin that succeeds restores spinning at once.
 */

/** How long one spin watches (ms). */
const SPIN_MS = 0.04
const MAX_SKIP = 64

/** One waiter's spinning policy (per queue handle and direction). */
export class Spinner {
  #skip = 0
  #backoff = 0

  /** Watches `ready` for a few microseconds unless recent spins failed; true once it held. */
  spin(ready: () => boolean): boolean {
    if (this.#skip > 0) {
      this.#skip--
      return false
    }
    const until = performance.now() + SPIN_MS
    do {
      for (let i = 0; i < 16; i++) if (ready()) return this.#hit()
    } while (performance.now() < until)
    this.#backoff = this.#backoff === 0 ? 1 : Math.min(this.#backoff * 2, MAX_SKIP)
    this.#skip = this.#backoff
    return false
  }

  #hit(): true {
    this.#backoff = 0
    return true
  }
}
