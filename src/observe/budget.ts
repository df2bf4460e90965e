/**
 * A per-second budget: how many costly recordings (a creation site, a stack
 * line) a thread makes per second at most, so a program that creates or
 * waits in a hot loop does not pay for a stack trace each time.
 *
 * @example
 * const sites = new PerSecond(1000)
 * if (sites.allowed()) record(new Error().stack)
 */
export class PerSecond {
  readonly #limit: number
  #left: number
  #refillAt = 0

  constructor(limit: number) {
    this.#limit = limit
    this.#left = limit
  }

  /** Takes one from this second's budget; false when it is spent. */
  allowed(): boolean {
    if (this.#left > 0) {
      this.#left--
      return true
    }
    const now = performance.now()
    if (now < this.#refillAt) return false
    this.#left = this.#limit - 1
    this.#refillAt = now + 1000
    return true
  }
}
