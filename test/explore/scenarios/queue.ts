// Queue wake-up scenarios (the NOT_EMPTY word), for any model of the protocol.
import type { Model } from '../explorer.js'
import { check, type Proc } from '../ops.js'
import type { WaitForm } from './lock.js'

export interface QueueProtocol {
  label: string
  words(name: string): Record<string, number>
  put(queue: string): Proc<void>
  /** get(): true with an item, false at the timeout; `slot` numbers the waiting actor (0, 1, 2). */
  get(queue: string, form: WaitForm, slot: number): Proc<boolean>
}

/**
 * P puts two items; A (a task, with a timeout) and B (blocking, no
 * timeout) get one each. B must get an item whether or not A times out.
 */
export function timedOutReader(p: QueueProtocol, aForm: WaitForm = { async: true, timed: true }): Model {
  return {
    name: `Queue timed-out reader ${p.label} (P puts 2; A ${aForm.async ? 'async' : 'sync'}${aForm.timed ? ' with timeout' : ''}; B blocking)`,
    words: p.words('q'),
    actors: {
      P: function* () {
        yield* p.put('q')
        yield* p.put('q')
      },
      A: function* () {
        yield* p.get('q', aForm, 1)
      },
      B: function* () {
        check(yield* p.get('q', {}, 2), 'misuse', 'a get without timeout returned false')
      },
    },
  }
}

/** P puts two items; S and T (blocking, no timeout) get one each. */
export function twoReaders(p: QueueProtocol): Model {
  const reader = (slot: number) => function* (): Proc<void> {
    check(yield* p.get('q', {}, slot), 'misuse', 'a get without timeout returned false')
  }
  return {
    name: `Queue two blocking readers ${p.label} (P puts 2; S and T get 1 each)`,
    words: p.words('q'),
    actors: {
      P: function* () {
        yield* p.put('q')
        yield* p.put('q')
      },
      S: reader(1),
      T: reader(2),
    },
  }
}
