/** Process and Thread targets for the Manager tests: they work on shared collections passed as arguments. */
import type { Event, Lock, Namespace, SharedDict, SharedList, Value } from '../../src/index.js'
import { kDescribe, revive, type HandleDescriptor, type StructDescriptor } from '../../src/shm/handle.js'
import { Segment } from '../../src/shm/segment.js'

/** `n` atomic increments of `key` through update. */
export async function incrementKey(d: SharedDict<string, number>, key: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await d.update(key, (v = 0) => v + 1)
}

/** Reads what the parent stored, writes back what it saw, typed. */
export async function echoTypes(d: SharedDict<string, unknown>): Promise<void> {
  await d.set('seen', await d.get('sample'))
}

/** Uses the Lock and Value the parent stored inside the dict: the same objects here. */
export async function useNested(d: SharedDict<string, unknown>, n: number): Promise<void> {
  const lock = (await d.get('lock')) as Lock
  const total = (await d.get('total')) as Value<'i'>
  for (let i = 0; i < n; i++) await lock.withLock(() => { total.value += 1 })
}

/** Pushes `tag:0` … `tag:n-1`. */
export async function pushItems(list: SharedList<string>, tag: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await list.push(`${tag}:${i}`)
}

/** Sets attributes on a namespace and reads one the parent set. */
export function touchNamespace(ns: Namespace): void {
  ns.fromChild = { greeting: `${ns.fromParent as string} back`, at: new Date(0) }
}

/** Tries the dict after its Manager was shut down; records the error code in the namespace-free way: a Value. */
export async function tryAfterShutdown(d: SharedDict<string, number>, go: Event, code: Value<'i'>): Promise<void> {
  await go.wait(30_000)
  try {
    await d.get('x')
    code.value = 1
  } catch (error) {
    code.value = (error as { code?: string }).code === 'ERR_SKEIN_MANAGER_SHUT_DOWN' ? 2 : 3
  }
}

/**
 * Simulates a writer killed half-way: takes the dict's own lock, scribbles
 * over the uncommitted half of its snapshot, says so, and waits to be killed.
 */
export async function dieMidWrite(d: SharedDict<string, number>, holding: Event): Promise<void> {
  const desc = d[kDescribe]() as StructDescriptor
  const lock = (await revive(desc.lock as HandleDescriptor)) as Lock
  await lock.acquire()
  const segment = Segment.attach(desc.segment)
  const version = Atomics.load(segment.i32, 4)
  const half = Math.floor((segment.size - 64) / 2)
  const start = 64 + ((version + 1) & 1) * half
  new Uint8Array(segment.sab, start, 4096).fill(0xab)
  Atomics.store(segment.i32, 5 + ((version + 1) & 1), 4096)
  holding.set()
  await new Promise(() => setInterval(() => {}, 1000)) // held until SIGKILL
}

/** Reads the locks stored in a dict, a list and a namespace `n` times each. */
export async function readStoredLocks(d: SharedDict<string, unknown>, l: SharedList<unknown>, ns: Namespace, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await d.get('lock')
    await d.get('nested')
    await l.get(0)
    void ns.lock
  }
}
