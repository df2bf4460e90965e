// Mutual exclusion with a non-atomic read-modify-write of a shared Value
// (an exact final count), and permits never exceeded (a count in shared memory).
import type { BoundedSemaphore, Condition, Lock, RawArray, RLock, Semaphore, Value } from '../../../src/index.js'
import { CONTRACT, RoleBoard, type Board } from '../board.js'
import { dawdle, type RoleOptions } from './options.js'

export const EXCLUSION_POINTS = ['the acquire', 'the re-entrant acquire', 'two holders at once', 'more holders than permits']
const ACQUIRE = 0
const REENTER = 1
const TWO_INSIDE = 2
const OVER = 3

type Guard = Lock | RLock | Semaphore | Condition

/** n increments of `value` under `guard` (an RLock is entered twice); `inside` counts holders. */
export async function incrementer(board: Board, role: number, o: RoleOptions, guard: Guard, value: Value<'i'>, inside: RawArray<'i'>, reentrant: boolean): Promise<void> {
  const me = new RoleBoard(board, role)
  const acquire = async () => (o.sync ? guard.acquireSync({ timeout: o.timeout }) : await guard.acquire({ timeout: o.timeout }))
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      me.must(await acquire(), ACQUIRE)
      try {
        if (reentrant) me.must(await acquire(), REENTER)
        try {
          me.must(Atomics.add(inside.array, 0, 1) === 0, TWO_INSIDE, CONTRACT)
          const v = value.value
          dawdle()
          value.value = v + 1
          Atomics.sub(inside.array, 0, 1)
        } finally {
          if (reentrant) guard.release()
        }
      } finally {
        guard.release()
      }
    }
  })
}

/** n entries into a semaphore of `permits`: `live[0]` counts holders, `live[1]` the peak. */
export async function permitHolder(board: Board, role: number, o: RoleOptions, sem: Semaphore | BoundedSemaphore, live: RawArray<'i'>, permits: number): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      me.must(o.sync ? sem.acquireSync({ timeout: o.timeout }) : await sem.acquire({ timeout: o.timeout }), ACQUIRE)
      try {
        const now = Atomics.add(live.array, 0, 1) + 1
        for (let peak = Atomics.load(live.array, 1); now > peak && Atomics.compareExchange(live.array, 1, peak, now) !== peak; peak = Atomics.load(live.array, 1));
        me.must(now <= permits, OVER, CONTRACT)
        dawdle()
        Atomics.sub(live.array, 0, 1)
      } finally {
        sem.release()
      }
    }
  })
}
