/**
 * libuv requests in flight in this thread: a file read or write on the
 * thread pool (`FSReqCallback`, `FSReqPromise`), a DNS lookup
 * (`GetAddrInfoReqWrap`), a handle's close (`CloseReq`)… Unlike handles they
 * end by themselves, soon. Two places must not go on while one is in flight:
 * the fork server before a fork (the child would inherit a request whose
 * thread-pool thread it does not have: its event loop would count it for
 * ever and never empty, so the child never exits), and a warm thread worker
 * before it judges whether its last Thread left anything open.
 *
 * @example
 * import { requestsSettled } from './requests.js'
 * await requestsSettled(new Map(), 2000) // until none is in flight, or 2 s
 */

/** Resource kinds keeping this thread's event loop alive, counted. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1)
  return counts
}

/** Whether a resource kind is a request (ends by itself) rather than a handle. */
export const isRequest = (kind: string): boolean => kind.includes('Req')

/**
 * Resolves once no kind of request is in flight beyond its count in
 * `before` (a baseline from {@link activeResources}; an empty map: none at
 * all), or after `maxMs`; true when they settled.
 */
export async function requestsSettled(before: Map<string, number>, maxMs: number): Promise<boolean> {
  const end = Date.now() + maxMs
  for (;;) {
    let pending = false
    for (const [kind, n] of activeResources()) if (isRequest(kind) && n > (before.get(kind) ?? 0)) pending = true
    if (!pending) return true
    if (Date.now() >= end) return false
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}
