// Barrier generations: every party passes every generation, each index of a
// generation is returned exactly once, and no party leaves a generation
// before all its parties arrived.
import type { Barrier, RawArray } from '../../../src/index.js'
import { CONTRACT, RoleBoard, type Board } from '../board.js'
import type { RoleOptions } from './options.js'

export const BARRIER_POINTS = ['the barrier wait', 'a party left before all arrived']
const WAIT = 0
const EARLY = 1

/** n generations: `arrived[g]` counts parties that reached generation g, `indexes[g * parties + i]` each index returned. */
export async function party(board: Board, role: number, o: RoleOptions, barrier: Barrier, arrived: RawArray<'i'>, indexes: RawArray<'i'>): Promise<void> {
  const me = new RoleBoard(board, role)
  const parties = barrier.parties
  await me.run(async () => {
    for (let g = 0; g < o.n; g++) {
      me.step(g)
      Atomics.add(arrived.array, g, 1)
      let index: number
      try {
        index = o.sync ? barrier.waitSync(o.timeout) : await barrier.wait(o.timeout)
      } catch (error) {
        // BrokenBarrierError: a wait timed out here or in another party (nobody aborts here)
        me.must(false, WAIT, undefined, String(error))
        return
      }
      me.must(Atomics.load(arrived.array, g) === parties, EARLY, CONTRACT)
      Atomics.add(indexes.array, g * parties + index, 1)
    }
  })
}
