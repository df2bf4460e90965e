// Targets for reclaim.test.ts: children that use shared objects, then exit.
import { Event, Queue, RawValue } from '../../src/index.js'

interface Usable {
  acquireSync?: () => boolean
  release?: () => void
}

/** Uses every object once (so each is really attached), then returns: the child exits. */
export function touchAll(objects: unknown[]): void {
  for (const o of objects as Usable[]) {
    if (typeof o.acquireSync === 'function') {
      o.acquireSync()
      o.release!()
    } else if (o instanceof Event) {
      o.set()
    } else if (o instanceof RawValue) {
      o.value = 1
    } else if (o instanceof Queue) {
      o.putNowait(1)
    }
  }
}

/** Holds `kept` while the parent drops its own handle and churns, then reports what it reads. */
export function holdThenRead(kept: RawValue<'i'>, ready: Event, go: Event, seen: RawValue<'i'>): void {
  ready.set()
  if (!go.waitSync(60_000)) throw new Error('holdThenRead: the parent never said go')
  seen.value = kept.value
}
