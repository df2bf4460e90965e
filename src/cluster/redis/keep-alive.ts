/**
 * Cluster connections never keep a process alive by themselves (their
 * sockets are unref'd): a child that received a cluster Lock ends when its
 * target returns, like with a local Lock. While a command or a wait is in
 * flight, one ref'd timer keeps the event loop running, so an awaited
 * `q.get()` is never cut short by the loop going idle.
 */
let pending = 0
// One timer for the whole process, ref'd while anything is in flight: ref()/unref() cost less than a new timer per command.
let timer: NodeJS.Timeout | undefined

function enter(): void {
  if (pending++ > 0) return
  timer ??= setInterval(() => {}, 1 << 30)
  timer.ref()
}

function leave(): void {
  if (--pending === 0) timer?.unref()
}

/** Keeps the event loop alive until `work` settles. @example await keepAliveWhile(fetchThing()) */
export async function keepAliveWhile<T>(work: Promise<T>): Promise<T> {
  enter()
  try {
    return await work
  } finally {
    leave()
  }
}
