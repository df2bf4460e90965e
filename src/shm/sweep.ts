/**
 * The idle sweep: a thread that attached shared objects from elsewhere and
 * then went quiet runs one full garbage collection, so the handles it
 * dropped meanwhile give their references back.
 *
 * Why: a thread's references on other threads' structs are dropped by a
 * FinalizationRegistry, and V8 runs finalizers only after a full (mark-
 * compact) collection. A busy thread gets those on its own; an idle one (a
 * reused worker between Threads, a consumer waiting on a queue) may not for
 * a long time, and meanwhile the structs it no longer uses can't be freed by
 * their owner. So after the first attach, a timer (unref'd: it keeps nothing
 * alive) checks every SWEEP_MS; once a whole period passed with no new
 * attach and the thread still holds some, it collects once and stops until
 * the next attach. A thread that keeps receiving is never forced, nor is
 * one whose heap is big enough for a full collection to be a noticeable
 * pause (V8's own collections get there instead), nor one whose event loop
 * was busy for most of the period: that thread is not idle, and the check
 * only ran late because a long synchronous stretch (a loop of putSync or
 * getSync) just ended — often the last thing a child process does before
 * it exits, where a full collection is pure cost (it was 80 ms of CPU in
 * each child of the 4 + 4 queue bench, on two CPUs shared by eight).
 */
import v8 from 'node:v8'
import type { EventLoopUtilization } from 'node:perf_hooks'
import { exposedGc, type GcFunction } from '../runtime/gc.js'

const SWEEP_MS = 500
/** Above this share of the period spent running (not waiting for events), the thread is not idle. */
const BUSY_SHARE = 0.5

let timer: NodeJS.Timeout | undefined
let attachedSinceCheck = 0
let collectFn: GcFunction | null | undefined

/** Notes an attach; `holding` says whether the thread still holds any attached struct. */
export function noteAttach(holding: () => boolean): void {
  attachedSinceCheck++
  if (timer !== undefined) return
  let since: EventLoopUtilization // the loop's use when the timer was armed
  const check = (): void => {
    timer = undefined
    if (!holding()) return
    const busy = performance.eventLoopUtilization(since).utilization > BUSY_SHARE
    if (attachedSinceCheck > 0 || busy) {
      attachedSinceCheck = 0
      arm()
      return
    }
    collect()
  }
  const arm = (): void => {
    since = performance.eventLoopUtilization()
    timer = setTimeout(check, SWEEP_MS)
    timer.unref()
  }
  attachedSinceCheck = 0
  arm()
}

/**
 * Called when the arena is about to map a new segment while many structs
 * were created since finalizers last ran: they may well be garbage V8 has
 * not collected yet (finalizers need a full collection, and a task of
 * their own). So collect once the current task ends, at most once a second;
 * the next segment is then usually not needed.
 */
export function collectSoon(): void {
  const now = performance.now()
  if (collectScheduled || now - lastSoon < SOON_MIN_MS) return
  collectScheduled = true
  lastSoon = now
  setImmediate(() => {
    collectScheduled = false
    collect()
  }).unref()
}

const SOON_MIN_MS = 1000
let collectScheduled = false
let lastSoon = -Infinity

/** Above this heap size a forced collection could pause the thread noticeably: leave it to V8. */
const MAX_HEAP_TO_FORCE = 256 * 1024 * 1024

/** One full collection, through the `gc` function (exposed for this call only if it isn't already). */
function collect(): void {
  if (v8.getHeapStatistics().used_heap_size > MAX_HEAP_TO_FORCE) return
  if (collectFn === undefined) collectFn = exposedGc()
  collectFn?.()
}

