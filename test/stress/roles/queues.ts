// Queue, JoinableQueue and Pipe through the public API only: several
// producers and consumers, every item arrives exactly once (a Pipe: in order).
import type { Connection, JoinableQueue, Queue, RawArray } from '../../../src/index.js'
import { CONTRACT, RoleBoard, type Board } from '../board.js'
import type { RoleOptions } from './options.js'

export const QUEUE_POINTS = ['a put', 'a get', 'join()', 'a message out of order', 'a recv']
const PUT = 0
const GET = 1
const JOIN = 2
const ORDER = 3
const RECV = 4

/** Puts ids first..first+n-1; with `join`, then waits for every item put to be done. */
export async function producer(board: Board, role: number, o: RoleOptions, q: Queue<number> | JoinableQueue<number>, first: number, join: boolean): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      try {
        if (o.sync) q.putSync(first + i, { timeout: o.timeout })
        else await q.put(first + i, { timeout: o.timeout })
      } catch (error) {
        me.must(false, PUT, undefined, String(error))
      }
    }
    if (join) me.must(o.sync ? q.joinSync(o.timeout) : await q.join(o.timeout), JOIN)
  })
}

/** Gets n items, counting each id in `seen` (and marking it done with `done`). */
export async function consumer(board: Board, role: number, o: RoleOptions, q: Queue<number> | JoinableQueue<number>, seen: RawArray<'i'>, done: boolean): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      let id: number
      try {
        id = o.sync ? q.getSync({ timeout: o.timeout }) : await q.get({ timeout: o.timeout })
      } catch (error) {
        me.must(false, GET, undefined, String(error))
        return
      }
      Atomics.add(seen.array, id, 1)
      if (done) q.taskDone()
    }
  })
}

/** Sends 0..n-1 down one end of a pipe. */
export async function pipeWriter(board: Board, role: number, o: RoleOptions, end: Connection<number>): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(() => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      end.send(i)
    }
  })
}

/** Receives n messages, which must be 0..n-1 in order; counts them in `got[0]`. */
export async function pipeReader(board: Board, role: number, o: RoleOptions, end: Connection<number>, got: RawArray<'i'>): Promise<void> {
  const me = new RoleBoard(board, role)
  await me.run(async () => {
    for (let i = 0; i < o.n; i++) {
      me.step(i)
      let m: number
      try {
        m = o.sync ? end.recvSync({ timeout: o.timeout }) : await end.recv({ timeout: o.timeout })
      } catch (error) {
        me.must(false, RECV, undefined, String(error))
        return
      }
      me.must(m === i, ORDER, CONTRACT)
      Atomics.add(got.array, 0, 1)
    }
  })
}
