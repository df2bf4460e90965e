// Queue wake-up scenarios (the NOT_EMPTY word), for any model of the protocol.
import type { Model } from '../explorer.js'
import { check, type Proc } from '../ops.js'
import type { WaitForm } from './lock.js'

export interface QueueProtocol {
  label: string
  words(name: string): Record<string, number>
  put(queue: string): Proc<void>
  /** get(): true with an item, false at the timeout. */
  get(queue: string, form: WaitForm): Proc<boolean>
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
        yield* p.get('q', aForm)
      },
      B: function* () {
        check(yield* p.get('q', {}), 'misuse', 'a get without timeout returned false')
      },
    },
  }
}
