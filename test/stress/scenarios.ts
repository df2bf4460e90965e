// The stress scenarios: each builds its shared objects (public API only) and
// its roles for one run, and checks the exact outcome afterwards.
import {
  Barrier, BoundedSemaphore, Condition, Event, JoinableQueue, Lock, Pipe, Queue, RawArray, RLock, Semaphore, Value,
} from '../../src/index.js'
import { HANDOFF_POINTS, conditionPlayer, eventPinger, eventPonger, lockPinger, lockPonger, semaphorePinger, semaphorePonger } from './roles/handoffs.js'
import { EXCLUSION_POINTS, incrementer, permitHolder } from './roles/exclusion.js'
import { BUFFER_POINTS, bufferConsumer, bufferProducer } from './roles/buffer.js'
import { BARRIER_POINTS, party } from './roles/barrier.js'
import { QUEUE_POINTS, consumer, pipeReader, pipeWriter, producer } from './roles/queues.js'

/** One role of a run: a function exported from roles/ and its shared objects. */
export interface Role {
  name: string
  fn: (...args: never[]) => Promise<void>
  args: unknown[]
}

/** One run of a scenario: its roles, what a complete run achieves, and the exact checks. */
export interface Run {
  roles: Role[]
  /** Hand-offs, increments or items a complete run makes. */
  units: number
  /** Contract failures visible only at the end (counts, indexes, multisets). */
  check(): string[]
}

export interface Scenario {
  name: string
  /** Names for --only (the primitives it exercises). */
  keys: string[]
  /** What each wait point of its roles is (the board records an index). */
  points: string[]
  /** Iterations per role at scale 1. */
  n: number
  setup(n: number): Run
}

const ints = (n: number) => new RawArray('i', n)

/** Each entry of `counts` must be exactly 1. */
function exactlyOnce(counts: RawArray<'i'>, what: string): string[] {
  const bad = [...counts.array.entries()].filter(([, c]) => c !== 1)
  if (bad.length === 0) return []
  const [id, c] = bad[0]
  return [`${bad.length} ${what} not seen exactly once (e.g. #${id}: ${c} times)`]
}

export const scenarios: Scenario[] = [
  {
    name: 'Event ping-pong',
    keys: ['event'],
    points: HANDOFF_POINTS,
    n: 2000,
    setup: (n) => {
      const ping = new Event()
      const pong = new Event()
      const sets = ints(2)
      return {
        roles: [{ name: 'pinger', fn: eventPinger, args: [ping, pong, sets] }, { name: 'ponger', fn: eventPonger, args: [ping, pong, sets] }],
        units: 2 * n,
        check: () => [],
      }
    },
  },
  {
    name: 'Condition ping-pong',
    keys: ['condition'],
    points: HANDOFF_POINTS,
    n: 1000,
    setup: (n) => {
      const cond = new Condition()
      const turn = ints(1)
      return {
        roles: [{ name: 'player 0', fn: conditionPlayer, args: [cond, turn, 0] }, { name: 'player 1', fn: conditionPlayer, args: [cond, turn, 1] }],
        units: 2 * n,
        check: () => [],
      }
    },
  },
  ...[false, true].map((all): Scenario => ({
    name: `Condition bounded buffer (${all ? 'notifyAll' : 'notify'})`,
    keys: ['condition', 'buffer'],
    points: BUFFER_POINTS,
    n: 500,
    setup: (n) => {
      const cond = new Condition()
      const room = 2
      const ring = ints(3 + room)
      const seen = ints(2 * n)
      return {
        roles: [
          { name: 'producer 0', fn: bufferProducer, args: [cond, ring, room, 0, all] },
          { name: 'producer 1', fn: bufferProducer, args: [cond, ring, room, n, all] },
          { name: 'consumer 0', fn: bufferConsumer, args: [cond, ring, room, seen, all] },
          { name: 'consumer 1', fn: bufferConsumer, args: [cond, ring, room, seen, all] },
        ],
        units: 2 * n,
        check: () => exactlyOnce(seen, 'items'),
      }
    },
  })),
  {
    name: 'Lock ping-pong',
    keys: ['lock'],
    points: HANDOFF_POINTS,
    n: 2000,
    setup: (n) => {
      const ping = new Lock()
      const pong = new Lock()
      ping.acquireSync()
      pong.acquireSync()
      return {
        roles: [{ name: 'pinger', fn: lockPinger, args: [ping, pong] }, { name: 'ponger', fn: lockPonger, args: [ping, pong] }],
        units: 2 * n,
        check: () => [],
      }
    },
  },
  {
    name: 'Semaphore ping-pong',
    keys: ['semaphore'],
    points: HANDOFF_POINTS,
    n: 2000,
    setup: (n) => {
      const ping = new Semaphore(0)
      const pong = new Semaphore(0)
      return {
        roles: [{ name: 'pinger', fn: semaphorePinger, args: [ping, pong] }, { name: 'ponger', fn: semaphorePonger, args: [ping, pong] }],
        units: 2 * n,
        check: () => [],
      }
    },
  },
  ...(['Lock', 'RLock', 'Semaphore(1)', "Condition's lock"] as const).map((kind): Scenario => ({
    name: `mutual exclusion: ${kind}`,
    keys: [kind === 'RLock' ? 'rlock' : kind === 'Semaphore(1)' ? 'semaphore' : kind === 'Lock' ? 'lock' : 'condition', 'exclusion'],
    points: EXCLUSION_POINTS,
    n: 1000,
    setup: (n) => {
      const guard = kind === 'Lock' ? new Lock() : kind === 'RLock' ? new RLock() : kind === 'Semaphore(1)' ? new Semaphore(1) : new Condition()
      const value = new Value('i', 0, { lock: false })
      const inside = ints(1)
      const roles = [0, 1, 2].map((i) => ({ name: `incrementer ${i}`, fn: incrementer, args: [guard, value, inside, kind === 'RLock'] }))
      return {
        roles,
        units: 3 * n,
        check: () => (value.value === 3 * n ? [] : [`the count ends at ${value.value}, not ${3 * n}: increments lost`]),
      }
    },
  })),
  ...[false, true].map((bounded): Scenario => ({
    name: `permits: ${bounded ? 'BoundedSemaphore(2)' : 'Semaphore(2)'}`,
    keys: [bounded ? 'boundedsemaphore' : 'semaphore', 'permits'],
    points: EXCLUSION_POINTS,
    n: 500,
    setup: (n) => {
      const sem = bounded ? new BoundedSemaphore(2) : new Semaphore(2)
      const live = ints(2)
      return {
        roles: [0, 1, 2, 3].map((i) => ({ name: `holder ${i}`, fn: permitHolder, args: [sem, live, 2] })),
        units: 4 * n,
        check: () => (live.array[1] <= 2 && sem.value === 2 ? [] : [`peak ${live.array[1]} holders, ${sem.value} permits left (of 2)`]),
      }
    },
  })),
  {
    name: 'Barrier(3) generations',
    keys: ['barrier'],
    points: BARRIER_POINTS,
    n: 300,
    setup: (n) => {
      const barrier = new Barrier(3)
      const arrived = ints(n)
      const indexes = ints(3 * n)
      return {
        roles: [0, 1, 2].map((i) => ({ name: `party ${i}`, fn: party, args: [barrier, arrived, indexes] })),
        units: n,
        check: () => exactlyOnce(indexes, 'generation indexes'),
      }
    },
  },
  ...[false, true].map((joinable): Scenario => ({
    name: joinable ? 'JoinableQueue(4), join' : 'Queue(4)',
    keys: [joinable ? 'joinablequeue' : 'queue', 'queues'],
    points: QUEUE_POINTS,
    n: 500,
    setup: (n) => {
      const q = joinable ? new JoinableQueue<number>(4) : new Queue<number>(4)
      const seen = ints(2 * n)
      return {
        roles: [
          { name: 'producer 0', fn: producer, args: [q, 0, joinable] },
          { name: 'producer 1', fn: producer, args: [q, n, joinable] },
          { name: 'consumer 0', fn: consumer, args: [q, seen, joinable] },
          { name: 'consumer 1', fn: consumer, args: [q, seen, joinable] },
        ],
        units: 2 * n,
        check: () => exactlyOnce(seen, 'items'),
      }
    },
  })),
  {
    name: 'Pipe (two, one-way)',
    keys: ['pipe', 'queues'],
    points: QUEUE_POINTS,
    n: 1000,
    setup: (n) => {
      const [r0, w0] = Pipe<number>(false)
      const [r1, w1] = Pipe<number>(false)
      const got = ints(2)
      return {
        roles: [
          { name: 'writer 0', fn: pipeWriter, args: [w0] },
          { name: 'reader 0', fn: pipeReader, args: [r0, got] },
          { name: 'writer 1', fn: pipeWriter, args: [w1] },
          { name: 'reader 1', fn: pipeReader, args: [r1, got] },
        ],
        units: 2 * n,
        check: () => [],
      }
    },
  },
]
