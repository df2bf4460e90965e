/**
 * A gate for pool tests that must not depend on timing: tasks running
 * `waitGate(gate.shared, value)` (test/fixtures/pool-targets.ts) count
 * themselves in and block their worker until the test opens the gate, so a
 * test knows a task is running, and still unfinished, without sleeping.
 */
import { RawArray } from '../../src/index.js'

/** Generous bound for "the task started": only a hang reaches it. */
const STARTED_WITHIN_MS = 60_000

export class Gate {
  /** Pass this to `waitGate`. Cell 0: open (non-zero); cell 1: tasks that started. */
  readonly shared = new RawArray('i', 2)
  readonly #cells = this.shared.array as Int32Array

  /** How many gated tasks have started. */
  started(): number {
    return Atomics.load(this.#cells, 1)
  }

  /** Resolves once `n` gated tasks have started (rejects only after a minute: a hang). */
  async untilStarted(n: number): Promise<void> {
    const end = Date.now() + STARTED_WITHIN_MS
    while (this.started() < n) {
      if (Date.now() > end) throw new Error(`only ${this.started()} of ${n} gated tasks started within ${STARTED_WITHIN_MS} ms`)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  }

  /**
   * Lets every gated task (running or later) return. Waiters poll (20 ms
   * slices): no Atomics.notify, which V8 cannot deliver across processes,
   * and which aborts the process when it wakes another thread's wait on a
   * skein segment (a RawArray) — see reports/pools.md.
   */
  open(): void {
    Atomics.store(this.#cells, 0, 1)
  }
}
