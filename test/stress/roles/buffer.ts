// A bounded buffer on one Condition (its lock guards a ring in shared
// memory): producers put distinct ids, consumers take them and count each.
import type { Condition, RawArray } from '../../../src/index.js'
import { CONTRACT, RoleBoard, type Board } from '../board.js'
import type { RoleOptions } from './options.js'

export const BUFFER_POINTS = ['the lock', 'a wait for room', 'a wait for an item', 'the count left its range']
const LOCK = 0
const ROOM = 1
const ITEM = 2
const RANGE = 3

// ring words: HEAD, TAIL, COUNT, then the slots
const HEAD = 0
const TAIL = 1
const COUNT = 2
const SLOTS = 3

/** Puts ids first..first+n-1 into the ring (capacity `room`), notifying one or all after each. */
export async function bufferProducer(board: Board, role: number, o: RoleOptions, cond: Condition, ring: RawArray<'i'>, room: number, first: number, all: boolean): Promise<void> {
  const me = new RoleBoard(board, role)
  const r = ring.array
  const hasRoom = () => r[COUNT] < room
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      me.must(o.sync ? cond.acquireSync({ timeout: o.timeout }) : await cond.acquire({ timeout: o.timeout }), LOCK)
      try {
        me.must(o.sync ? cond.waitForSync(hasRoom, o.timeout) : await cond.waitFor(hasRoom, o.timeout), ROOM)
        r[SLOTS + r[TAIL]] = first + i
        r[TAIL] = (r[TAIL] + 1) % room
        r[COUNT] += 1
        me.must(r[COUNT] >= 1 && r[COUNT] <= room, RANGE, CONTRACT)
        if (all) cond.notifyAll()
        else cond.notify()
      } finally {
        cond.release()
      }
    }
  })
}

/** Takes n ids from the ring, counting each in `seen`. */
export async function bufferConsumer(board: Board, role: number, o: RoleOptions, cond: Condition, ring: RawArray<'i'>, room: number, seen: RawArray<'i'>, all: boolean): Promise<void> {
  const me = new RoleBoard(board, role)
  const r = ring.array
  const hasItem = () => r[COUNT] > 0
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      me.must(o.sync ? cond.acquireSync({ timeout: o.timeout }) : await cond.acquire({ timeout: o.timeout }), LOCK)
      let id: number
      try {
        me.must(o.sync ? cond.waitForSync(hasItem, o.timeout) : await cond.waitFor(hasItem, o.timeout), ITEM)
        id = r[SLOTS + r[HEAD]]
        r[HEAD] = (r[HEAD] + 1) % room
        r[COUNT] -= 1
        me.must(r[COUNT] >= 0 && r[COUNT] < room, RANGE, CONTRACT)
        if (all) cond.notifyAll()
        else cond.notify()
      } finally {
        cond.release()
      }
      Atomics.add(seen.array, id, 1)
    }
  })
}
