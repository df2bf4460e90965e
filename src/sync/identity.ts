/**
 * Who "I" am for ownership: one 32-bit owner id per running thread.
 *
 * How it works. An owner id is the kernel thread id in the low 22 bits
 * (Linux tids stay below PID_MAX_LIMIT = 2^22) and a *generation* in the top
 * 10. A JS thread that only ever runs one thread of the user's (a process's
 * main thread, a plain worker) has generation 0, so its id is its tid and
 * liveness is the kernel's: `/proc/TID` tells whether the owner still runs.
 * A reused skein worker runs many `Thread`s one after another on one kernel
 * thread; each gets a fresh generation (1..1023) when its target is called
 * (`renewOwner`) and loses it when the target returns (`retireOwner`). The
 * worker publishes its live generation where any process can read it: its
 * kernel thread name (`/proc/TID/comm`, `skein#<gen>` while a Thread runs,
 * `skein#idle` between). An owner id of generation g is alive while its tid
 * runs *and* its comm reads `skein#g`; so a lock left held by a Thread whose
 * target returned is recovered like one held by a dead thread, and the next
 * Thread on that worker never owns it. A worker is retired before its
 * generation wraps, so an id is never handed out twice by one kernel thread.
 *
 * The id lives on `globalThis` under a registered symbol, so every copy of
 * skein loaded in a thread (src and dist, say) agrees; the lock fast path
 * reads one property of a module-level object.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { native } from '../native.js'
import { afterFork } from '../shm/after-fork.js'
import { setOwnerId } from '../observe/registry.js'

const TID_BITS = 22
const TID_MASK = (1 << TID_BITS) - 1
/** Generations 1..MAX_GENERATION name the Threads run by one reused worker. */
export const MAX_GENERATION = (1 << (32 - TID_BITS)) - 1
const COMM_PREFIX = 'skein#'

/** The calling thread's owner identity (shared by every copy of skein in this thread). */
export interface Owner {
  /** What a lock's OWNER word holds while this thread owns it. */
  id: number
  /** 0 for a thread that runs one target for life; else the current Thread's generation. */
  gen: number
}

const kOwner = Symbol.for('skein.sync.owner')
const g = globalThis as unknown as Record<symbol, Owner | undefined>

/** This thread's kernel tid (the main thread's equals the pid). */
export let selfTid: number = native.gettid()

/** The calling thread's owner identity; read `owner.id` (it changes when a reused worker runs a new Thread). */
export const owner: Owner = (g[kOwner] ??= { id: selfTid, gen: 0 })

// A fork server child starts as a copy of the server: it takes its own tid.
afterFork(() => {
  selfTid = native.gettid()
  owner.id = selfTid
  owner.gen = 0
})

/**
 * Gives the calling (reused worker) thread a fresh owner id for the Thread it
 * is about to run. False if the generation could not be published (a
 * read-only /proc): the id then stays the bare tid, which is exact only if
 * this kernel thread runs no other Thread afterwards, so the caller must not
 * reuse it.
 */
export function renewOwner(): boolean {
  const gen = owner.gen >= MAX_GENERATION ? 1 : owner.gen + 1
  if (!publish(String(gen))) {
    owner.gen = 0
    owner.id = selfTid
    return false
  }
  owner.gen = gen
  owner.id = (selfTid | (gen << TID_BITS)) | 0
  setOwnerId(owner.id) // readers of the registry tell a live holder from a returned Thread by it
  return true
}

/**
 * Ends the current Thread's owner id: locks it still holds now count as held
 * by a dead thread. False if that could not be published: then only ending
 * the kernel thread makes them recoverable.
 */
export function retireOwner(): boolean {
  if (owner.gen === 0) return false
  setOwnerId(-1) // no lock is this thread's any more
  return publish('idle')
}

function publish(what: string): boolean {
  try {
    writeFileSync(`/proc/self/task/${selfTid}/comm`, COMM_PREFIX + what)
    return true
  } catch {
    return false
  }
}

/** Whether the owner `id` (a lock's OWNER word) still runs: false once its thread died or its Thread's target returned. */
export function isAlive(id: number): boolean {
  const tid = id & TID_MASK
  if (!native.threadAlive(tid)) return false
  const gen = id >>> TID_BITS
  if (gen === 0) return true
  try {
    return readFileSync(`/proc/${tid}/comm`, 'latin1').trimEnd() === COMM_PREFIX + gen
  } catch {
    return false // the thread is gone
  }
}
