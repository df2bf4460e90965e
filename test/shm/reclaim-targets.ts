// Targets for reclaim.test.ts: children that use shared objects, then exit.
import { Event, Queue, RawValue, type RawArray } from '../../src/index.js'

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

/**
 * Attaches `lock` (a struct from elsewhere: the idle sweep arms), idles
 * `settleMs` (past the sweep's first check, which sees that attach and
 * re-arms), keeps this thread busy for `busyMs` in one synchronous stretch
 * (the next check comes due meanwhile), then counts the forced full
 * collections (the sweep's) in the next `quietMs`, and again after `idleMs`
 * more of idling: `[afterBusy, afterIdle]` into `counts`.
 */
export async function busyThenIdle(lock: { acquireSync(): boolean; release(): void }, settleMs: number, busyMs: number, quietMs: number, idleMs: number, counts: RawArray<'i'>): Promise<void> {
  const { PerformanceObserver, constants } = await import('node:perf_hooks')
  let forced = 0
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const detail = (e as unknown as { detail?: { kind: number; flags: number } }).detail
      if (detail !== undefined && detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR && (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) forced++
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  lock.acquireSync()
  lock.release()
  await new Promise((resolve) => setTimeout(resolve, settleMs))
  const end = performance.now() + busyMs
  while (performance.now() < end); // a long synchronous stretch: the sweep's timer comes due meanwhile
  await new Promise((resolve) => setTimeout(resolve, quietMs))
  counts.set(0, forced)
  await new Promise((resolve) => setTimeout(resolve, idleMs))
  counts.set(1, forced)
  observer.disconnect()
}
