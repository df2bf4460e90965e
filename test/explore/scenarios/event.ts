// Event scenarios, for any model of the protocol.
import type { Model } from '../explorer.js'
import { mark, type Proc } from '../ops.js'
import type { WaitForm } from './lock.js'

export interface EventProtocol {
  label: string
  words(name: string): Record<string, number>
  set(event: string): Proc<void>
  clear(event: string): Proc<void>
  /** wait() without a timeout; `who` names the actor in messages. */
  wait(event: string, who: string, form: WaitForm): Proc<boolean>
}

/**
 * The ping-pong of the issue: A sets ping and waits for pong, then clears
 * it; B waits for ping, clears it and sets pong; `rounds` hand-offs each way.
 * The contract (contracts.ts) catches a wait that returns without a set().
 */
export function pingPong(p: EventProtocol, rounds: number, formB: WaitForm = {}): Model {
  return {
    name: `Event ping-pong ${p.label} (${rounds} rounds${formB.async ? ', B async' : ''})`,
    words: { ...p.words('ping'), ...p.words('pong') },
    actors: {
      A: function* () {
        for (let r = 0; r < rounds; r++) {
          yield* mark(r)
          yield* p.set('ping')
          yield* p.wait('pong', 'A', {})
          yield* p.clear('pong')
        }
      },
      B: function* () {
        for (let r = 0; r < rounds; r++) {
          yield* mark(r)
          yield* p.wait('ping', 'B', formB)
          yield* p.clear('ping')
          yield* p.set('pong')
        }
      },
    },
  }
}

/** Two waiters and a setter that sets, clears and sets again: both waiters return (Python: a set() during the wait counts). */
export function setClearSet(p: EventProtocol): Model {
  return {
    name: `Event set-clear-set ${p.label} (2 waiters)`,
    words: p.words('e'),
    actors: {
      S: function* () {
        yield* p.set('e')
        yield* p.clear('e')
        yield* p.set('e')
      },
      A: () => waitOnce(p, 'A', {}),
      B: () => waitOnce(p, 'B', { async: true }),
    },
  }
}

function* waitOnce(p: EventProtocol, who: string, form: WaitForm): Proc<void> {
  yield* p.wait('e', who, form)
}
