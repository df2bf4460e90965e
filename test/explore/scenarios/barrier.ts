// Barrier scenarios, for any model of the protocol.
import type { Model } from '../explorer.js'
import { check, mark, type Proc } from '../ops.js'
import { waitingForParties } from '../contracts.js'

export interface BarrierProtocol {
  label: string
  words(name: string): Record<string, number>
  /** wait(): the party's index, or -1 (BrokenBarrierError). */
  wait(barrier: string, parties: number, who: string, timed: boolean): Proc<number>
}

function party(p: BarrierProtocol, parties: number, who: string, generations: number) {
  return function* (): Proc<void> {
    for (let r = 0; r < generations; r++) {
      yield* mark(r)
      const index = yield* p.wait('b', parties, who, false)
      check(index >= 0, 'broken', `${who}'s wait() threw BrokenBarrierError, though nobody timed out or aborted`)
    }
  }
}

/** Exactly `parties` actors, each passing `generations` generations. */
export function exactParties(p: BarrierProtocol, parties: number, generations: number): Model {
  const names = ['A', 'B', 'C'].slice(0, parties)
  return {
    name: `Barrier(${parties}) ${p.label}, ${parties} parties x ${generations} generations`,
    words: p.words('b'),
    actors: Object.fromEntries(names.map((n) => [n, party(p, parties, n, generations)])),
  }
}

/**
 * A timeout: Barrier(2), A waits with a timeout, B without. Either both
 * pass, or A's timeout breaks the generation and both get BrokenBarrierError
 * (the contract checks that a generation's parties agree).
 */
export function timedParty(p: BarrierProtocol): Model {
  return {
    name: `Barrier(2) ${p.label}, A with a timeout, B without`,
    words: p.words('b'),
    actors: {
      A: function* () {
        yield* p.wait('b', 2, 'A', true)
      },
      B: function* () {
        yield* p.wait('b', 2, 'B', false)
      },
    },
  }
}

/**
 * More threads than parties (Python allows it: generations take whoever
 * comes): Barrier(2), A passes twice, B and C once. Whoever is left waiting
 * at the end must be waiting for a second party that will never come.
 */
export function moreThreadsThanParties(p: BarrierProtocol): Model {
  return {
    name: `Barrier(2) ${p.label}, 3 threads (A twice, B and C once)`,
    words: p.words('b'),
    actors: { A: party(p, 2, 'A', 2), B: party(p, 2, 'B', 1), C: party(p, 2, 'C', 1) },
    stuck: (_mem, ghost, stuck) => waitingForParties('b', 2, ghost, stuck),
  }
}
