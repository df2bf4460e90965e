/**
 * How a queue handle is rebuilt from its descriptor in another thread or
 * process: the registered class (Queue, JoinableQueue, SimpleQueue,
 * LifoQueue, PriorityQueue) is constructed with no arguments while the ring
 * it attaches to is held here, and its constructor takes it
 * (`takeAttaching`) instead of creating a ring.
 *
 * @example
 * registerQueueClass('LifoQueue', LifoQueue as new () => object) // once, next to the class
 */
import { registerKind } from '../shm/handle.js'
import { revivedName } from '../observe/names.js'
import { attachRing, type Ring } from './ring.js'

const classes = new Map<string, new () => object>()
let attaching: { ring: Ring; name: string | undefined } | undefined

/** @internal Makes a queue class revivable by name. */
export function registerQueueClass(name: string, cls: new () => object): void {
  classes.set(name, cls)
}

/** @internal The ring (and name) a queue being revived attaches to, once; undefined when the constructor makes a new queue. */
export function takeAttaching(): { ring: Ring; name: string | undefined } | undefined {
  const taken = attaching
  attaching = undefined
  return taken
}

registerKind('skein.Queue', (d, segment) => {
  const cls = classes.get(String(d.cls))
  if (cls === undefined) throw new TypeError(`cannot rebuild a shared ${String(d.cls)} here: its module was not loaded. Import it from 'skein'`)
  attaching = { ring: attachRing(segment, String(d.cls)), name: revivedName(d, String(d.cls)) }
  try {
    return new cls()
  } finally {
    attaching = undefined
  }
})
