// Test helper: a worker thread or child process that runs exported functions
// of test/fixtures/ops.ts on shared objects sent to it (through skein's handle
// encoding), so tests can drive the same primitive from several levels.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { encode } from '../../src/shm/handle.js'

const HOST = new URL('../fixtures/peer-host.ts', import.meta.url)

export type Level = 'thread' | 'process'

export interface Peer {
  readonly pid: number
  /** Runs ops[name](...args) in the peer; resolves with its result. */
  call(name: string, ...args: unknown[]): Promise<any>
  /** Starts ops[name](...args) without waiting for it (for kill tests). */
  post(name: string, ...args: unknown[]): Promise<void>
  close(): Promise<void>
  kill(signal?: NodeJS.Signals): Promise<void>
}

let nextId = 1

export async function startPeer(level: Level): Promise<Peer> {
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>()
  const onMessage = (m: { id: number; ok: boolean; result?: unknown; error?: string; ready?: number }) => {
    const p = pending.get(m.id)
    if (!p) return
    pending.delete(m.id)
    if (m.ok) p.resolve(m.result)
    else p.reject(new Error(`peer: ${m.error}`))
  }
  let send: (m: unknown) => void
  let closer: () => Promise<void>
  let killer: (s: NodeJS.Signals) => Promise<void>
  let pid: number
  if (level === 'thread') {
    const tsx = import.meta.resolve('tsx/esm/api')
    const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(HOST.href)}) })`
    const worker = new Worker(code, { eval: true })
    worker.on('message', onMessage)
    send = (m) => worker.postMessage(m)
    closer = async () => { await worker.terminate() }
    killer = async () => { await worker.terminate() }
    pid = process.pid
  } else {
    const child: ChildProcess = fork(HOST, { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.on('message', onMessage)
    send = (m) => child.send(m as never)
    closer = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.disconnect()
      // A peer stuck in a blocking wait (a lost wake-up) never reads the disconnect: don't let it hold the test.
      const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(stuck)
    }
    killer = async (s) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill(s)
      await exited
    }
    pid = child.pid!
  }
  const request = async (name: string, args: unknown[]) => {
    const id = nextId++
    const result = new Promise((resolve, reject) => pending.set(id, { resolve, reject }))
    send({ id, name, args: await encode(args) })
    return result
  }
  await request('ping', [])
  return {
    pid,
    call: (name, ...args) => withHangGuard(request(name, args), name),
    async post(name, ...args) { void request(name, args).catch(() => {}) },
    close: closer,
    kill: (s = 'SIGKILL') => killer(s),
  }
}

function withHangGuard<T>(p: Promise<T>, name: string): Promise<T> {
  let timer: NodeJS.Timeout
  const guard = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`peer op ${name} hung for 60 s`)), 60_000) })
  return Promise.race([p, guard]).finally(() => clearTimeout(timer))
}

/**
 * Starts `n` peers one after another: each has loaded its code before the
 * next starts (Node 20's loader with tsx hooks can fail to link a module
 * graph when several workers load at once; see LOAD_GATE in src/thread/warm-worker.ts).
 */
export async function startPeers(level: Level, n: number): Promise<Peer[]> {
  const peers: Peer[] = []
  for (let i = 0; i < n; i++) peers.push(await startPeer(level))
  return peers
}
