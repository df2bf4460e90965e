// Ping-pong hand-offs: every hand-off is one wake-up that must arrive exactly
// once. Event (set/wait/clear), Condition (a turn word), Lock (released by the
// other side, Python's rule) and Semaphore (two counting semaphores at 0).
import type { Condition, Event, Lock, RawArray, Semaphore } from '../../../src/index.js'
import { CONTRACT, RoleBoard, type Board } from '../board.js'
import type { RoleOptions } from './options.js'

export const HANDOFF_POINTS = ['the ping wait', 'the pong wait', 'a wait returned with no set() since it began', 'the lock']
const PING = 0
const PONG = 1
const PHANTOM = 2
const LOCK = 3

/** Event: sets ping, waits for pong, clears it. `sets[0]` counts ping's sets. */
export async function eventPinger(board: Board, role: number, o: RoleOptions, ping: Event, pong: Event, sets: RawArray<'i'>): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      Atomics.add(sets.array, 0, 1)
      ping.set()
      me.must(o.sync ? pong.waitSync(o.timeout) : await pong.wait(o.timeout), PONG)
      me.must(Atomics.load(sets.array, 1) === i + 1, PHANTOM, CONTRACT)
      pong.clear()
    }
  })
}

/** Event: waits for ping, clears it, sets pong. A wait that returns early sees too few sets. */
export async function eventPonger(board: Board, role: number, o: RoleOptions, ping: Event, pong: Event, sets: RawArray<'i'>): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      me.must(o.sync ? ping.waitSync(o.timeout) : await ping.wait(o.timeout), PING)
      me.must(Atomics.load(sets.array, 0) === i + 1, PHANTOM, CONTRACT)
      ping.clear()
      Atomics.add(sets.array, 1, 1)
      pong.set()
    }
  })
}

/** Condition: waits for its turn (`turn[0] === mine`), hands the turn over, notifies. */
export async function conditionPlayer(board: Board, role: number, o: RoleOptions, cond: Condition, turn: RawArray<'i'>, mine: number): Promise<void> {
  const me = new RoleBoard(board, role)
  const myTurn = () => Atomics.load(turn.array, 0) === mine
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      me.must(o.sync ? cond.acquireSync({ timeout: o.timeout }) : await cond.acquire({ timeout: o.timeout }), LOCK)
      try {
        me.must(o.sync ? cond.waitForSync(myTurn, o.timeout) : await cond.waitFor(myTurn, o.timeout), mine === 0 ? PING : PONG)
        Atomics.store(turn.array, 0, 1 - mine)
        cond.notify()
      } finally {
        cond.release()
      }
    }
  })
}

/** Lock as a binary semaphore: releases ping (held by the other side), acquires pong. */
export async function lockPinger(board: Board, role: number, o: RoleOptions, ping: Lock, pong: Lock): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      ping.release()
      me.must(o.sync ? pong.acquireSync({ timeout: o.timeout }) : await pong.acquire({ timeout: o.timeout }), PONG)
    }
  })
}

export async function lockPonger(board: Board, role: number, o: RoleOptions, ping: Lock, pong: Lock): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      me.must(o.sync ? ping.acquireSync({ timeout: o.timeout }) : await ping.acquire({ timeout: o.timeout }), PING)
      pong.release()
    }
  })
}

/** Semaphores at 0: releases ping, acquires pong. */
export async function semaphorePinger(board: Board, role: number, o: RoleOptions, ping: Semaphore, pong: Semaphore): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      ping.release()
      me.must(o.sync ? pong.acquireSync({ timeout: o.timeout }) : await pong.acquire({ timeout: o.timeout }), PONG)
    }
  })
}

export async function semaphorePonger(board: Board, role: number, o: RoleOptions, ping: Semaphore, pong: Semaphore): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      me.must(o.sync ? ping.acquireSync({ timeout: o.timeout }) : await ping.acquire({ timeout: o.timeout }), PING)
      pong.release()
    }
  })
}
