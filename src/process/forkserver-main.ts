/**
 * The fork server program: `forkserver-main <parentPid> <execArgv JSON>`,
 * started by forkserver.ts with the parent's execArgv (so tsx and other
 * loaders are registered here once) plus V8's `--single-threaded`.
 *
 * It loads skein, tidies its heap (server-heap.ts), runs a queue hot
 * (warm-queue.ts), empties its young generation, says 'ready' (or why this Node cannot fork), then serves
 * requests one at a time: import the target's module (first use only; as a
 * child would, with `isMainProcess()` false and the bootstrapping guard on),
 * fork natively, and answer with the pid. The child continues from the fork
 * in fork-child.ts. Handle arguments arrive as sockets over IPC and are kept
 * as duplicated fds until the fork, so the server never reads or accepts on
 * them. It exits when the parent disconnects, and dies with it (PDEATHSIG).
 */
import { closeSync } from 'node:fs'
import type { Server, Socket } from 'node:net'
import { native } from '../native.js'
import { context } from '../runtime/context.js'
import { identifyProcess } from '../observe/registry.js'
import { becomeChild, warmChildPath, type ForkRequest, type HandleFd, type Loaded } from './fork-child.js'
import { forkLoaderUnavailable } from './fork-loader.js'
import type { Job } from './job.js'
import { processBackend } from './process.js'
import { loadOnce, printFailure, serializeError } from './run.js'
import { requestsSettled } from '../runtime/requests.js'
import { emptyYoung, tidyHeap, youngBytes } from './server-heap.js'
import { warmQueuePaths } from './warm-queue.js'

const parentPid = Number(process.argv[2])
const childExecArgv = JSON.parse(process.argv[3] ?? '[]') as string[]

if (!native.setPdeathsig(9, parentPid)) process.exit(1)
const ctx = context()
ctx.child = { name: 'ForkServer', daemon: false, parentPid }
ctx.forkServer = true
identifyProcess('fork server', 'ForkServer')

/** How long a fork waits for the server's requests in flight to end. */
const REQUESTS_MS = 2000

const queue: ForkRequest[] = []
const handles = new Map<number, HandleFd[]>()
let serving = false

process.on('disconnect', () => process.exit(0))
process.on('message', (m: { skein?: string; id?: number; kind?: 'Socket' | 'Server' }, handle?: Socket | Server) => {
  if (m?.skein === 'handle' && handle !== undefined) {
    // Keep only a duplicate fd: the Socket/Server object would read or accept here.
    const fd = native.dupFd((handle as unknown as { _handle: { fd: number } })._handle.fd)
    if ('destroy' in handle) handle.destroy()
    else handle.close()
    const list = handles.get(m.id!) ?? []
    list.push({ kind: m.kind ?? 'Socket', fd })
    handles.set(m.id!, list)
  } else if (m?.skein === 'fork') {
    queue.push(m as ForkRequest)
    if (!serving) void serve()
  }
})

const root = '../index.js'
await import(root).catch(() => {})
const unavailable = native.prepareFork() || forkLoaderUnavailable()
await warmChildPath()
await tidyHeap()
if (unavailable === '') await warmQueuePaths(channelFd()).catch(() => {}) // unwarmed children work, only slower
emptyYoung()
process.send!({ skein: 'ready', unavailable, young: youngBytes() })

async function serve(): Promise<void> {
  serving = true
  while (queue.length > 0) {
    const req = queue.shift()!
    const mine = handles.get(req.id) ?? []
    handles.delete(req.id)
    let loaded: Loaded
    try {
      loaded = await preload(req.job, req.argv)
      await channelDrained()
      // A request in flight now (tsx writing its cache after the import above) would be copied
      // into the child without the thread-pool thread that completes it: the child's loop would
      // never empty and the child never exit. Bounded: a request stuck past it is forked as before.
      await requestsSettled(new Map(), REQUESTS_MS)
    } catch (error) {
      printFailure('Process', req.job.name, error)
      closeAll(mine)
      process.send!({ skein: 'failed', id: req.id, error: serializeError(error) })
      continue
    }
    const others = [...handles.values()].flat().map((h) => h.fd)
    let pid: number
    try {
      pid = native.forkChild([channelFd()])
    } catch (error) {
      // The kernel refused the fork (a seccomp policy, a process limit): the parent spawns instead.
      closeAll(mine)
      process.send!({ skein: 'unforkable', id: req.id, reason: error instanceof Error ? error.message : String(error) })
      continue
    }
    if (pid === 0) {
      queue.length = 0
      becomeChild(req, loaded, mine, others, parentPid, childExecArgv, processBackend)
      return // this is the child now: it never serves
    }
    closeAll(mine)
    process.send!({ skein: 'forked', id: req.id, pid })
  }
  serving = false
}

/** Imports the job's module(s) as the child would: isMainProcess() false, start() guarded. */
async function preload(job: Job, argv: string[]): Promise<Loaded> {
  ctx.child = { name: job.name, daemon: job.daemon, parentPid }
  ctx.bootstrapping = true
  const ownArgv = process.argv.splice(0, process.argv.length, ...argv) // top-level code sees the parent's argv, as the child will
  try {
    const cls = job.cls === undefined ? undefined : await loadOnce(job.cls)
    const target = job.target === undefined ? undefined : await loadOnce(job.target)
    return { cls, target }
  } finally {
    process.argv.splice(0, process.argv.length, ...ownArgv)
    ctx.bootstrapping = false
    ctx.child = { name: 'ForkServer', daemon: false, parentPid }
  }
}

function channelFd(): number {
  return (process.channel as unknown as { fd: number }).fd
}

/** The child gets a copy of unsent IPC output; fork only once there is none. */
async function channelDrained(): Promise<void> {
  const channel = process.channel as unknown as { writeQueueSize?: number }
  while ((channel.writeQueueSize ?? 0) > 0) await new Promise((r) => setImmediate(r))
}

function closeAll(list: HandleFd[]): void {
  for (const h of list) {
    try { closeSync(h.fd) } catch { /* already closed */ }
  }
}
