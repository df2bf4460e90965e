// Lock, RLock and Semaphore scenarios, for any model of the protocols.
import type { Model } from '../explorer.js'
import { check, mark, type Proc } from '../ops.js'
import { criticalSection, givePermit, takePermit } from '../contracts.js'
import { load, store } from '../ops.js'

/** How a waiter waits: blocking or async (a task of a thread, through the native waiter), with or without a timeout. */
export interface WaitForm {
  async?: boolean
  timed?: boolean
}

export interface LockProtocol {
  label: string
  words(name: string): Record<string, number>
  acquire(lock: string, me: number, form: WaitForm): Proc<boolean>
  release(lock: string, me: number): Proc<void>
}

export interface SemaphoreProtocol {
  label: string
  words(name: string, permits: number, bounded: boolean): Record<string, number>
  acquire(sem: string, form: WaitForm): Proc<boolean>
  release(sem: string, n: number): Proc<void>
}

/** `rounds` acquire/release pairs of each actor; who is inside is checked at every step. */
export function mutex(p: LockProtocol, forms: Record<string, WaitForm>, rounds: number): Model {
  const user = (me: number, who: string, form: WaitForm) => function* (): Proc<void> {
    for (let r = 0; r < rounds; r++) {
      yield* mark(r)
      if (!(yield* p.acquire('l', me, form))) continue // timed out: fine, it never held the lock
      yield* criticalSection('l', who)
      yield* p.release('l', me)
    }
  }
  const names = Object.keys(forms)
  const timed = names.some((n) => forms[n].timed)
  return {
    name: `Lock mutex ${p.label} (${names.map((n) => `${n}${describe(forms[n])}`).join(', ')}; ${rounds} rounds)`,
    words: { ...p.words('l'), 'l.DATA': 0 },
    actors: Object.fromEntries(names.map((n, i) => [n, user(i + 1, n, forms[n])])),
    final: (mem) => check(timed || mem['l.DATA'] === names.length * rounds, 'lost update', `the counter ends at ${mem['l.DATA']}, not ${names.length * rounds}`),
  }
}

/**
 * The swallowed wake-one: H holds the lock while A (a task, with a timeout)
 * and B (blocking, no timeout) wait; H releases. B must get the lock
 * whether or not A times out.
 */
export function timedOutWaiter(p: LockProtocol): Model {
  return {
    name: `Lock timed-out waiter ${p.label} (H holds; A async with timeout; B blocking)`,
    words: { ...p.words('l'), 'l.DATA': 0 },
    actors: {
      H: function* () {
        yield* p.acquire('l', 1, {})
        yield* criticalSection('l', 'H')
        yield* p.release('l', 1)
      },
      A: function* () {
        if (yield* p.acquire('l', 2, { async: true, timed: true })) {
          yield* criticalSection('l', 'A')
          yield* p.release('l', 2)
        }
      },
      B: function* () {
        check(yield* p.acquire('l', 3, {}), 'misuse', 'an acquire without timeout returned false')
        yield* criticalSection('l', 'B')
        yield* p.release('l', 3)
      },
    },
  }
}

/** Each actor takes a permit and gives it back `rounds` times; never more holders than permits. */
export function permits(p: SemaphoreProtocol, permitCount: number, bounded: boolean, forms: Record<string, WaitForm>, rounds: number): Model {
  const user = (who: string, form: WaitForm) => function* (): Proc<void> {
    for (let r = 0; r < rounds; r++) {
      yield* mark(r)
      if (!(yield* p.acquire('s', form))) continue
      yield* takePermit('s', permitCount, who)
      yield* store('s.DATA', (yield* load('s.DATA', `${who}: inside: v = DATA`)) + 1, `${who}: inside: DATA = v + 1`)
      yield* givePermit('s')
      yield* p.release('s', 1)
    }
  }
  const names = Object.keys(forms)
  return {
    name: `${bounded ? 'BoundedSemaphore' : 'Semaphore'}(${permitCount}) ${p.label} (${names.map((n) => `${n}${describe(forms[n])}`).join(', ')}; ${rounds} rounds)`,
    words: { ...p.words('s', permitCount, bounded), 's.DATA': 0 },
    actors: Object.fromEntries(names.map((n) => [n, user(n, forms[n])])),
    final: (mem) => check(mem['s.COUNT'] === permitCount, 'permits lost', `the semaphore ends with ${mem['s.COUNT']} permits, not ${permitCount}`),
  }
}

function describe(form: WaitForm): string {
  const parts = [form.async ? 'async' : 'sync', ...(form.timed ? ['timeout'] : [])]
  return ` ${parts.join('+')}`
}
