// Helpers: start a test/fixtures/shared-peer.ts as a worker thread or a child process.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { encode } from '../../src/shm/handle.js'

const PEER = new URL('../fixtures/shared-peer.ts', import.meta.url)

export interface Peer {
  run(op: string, payload: unknown): Promise<any>
  close(): Promise<void>
}

export type PeerKind = 'thread' | 'process'

export function startPeer(kind: PeerKind): Peer {
  return kind === 'thread' ? threadPeer() : processPeer()
}

function unwrap(reply: { ok: boolean; result?: unknown; error?: string }): unknown {
  if (!reply.ok) throw new Error(`peer failed: ${reply.error}`)
  return reply.result
}

let loading: Promise<unknown> = Promise.resolve()

function threadPeer(): Peer {
  // Node 20 doesn't carry tsx's loader into workers: register it in the worker, then load the peer.
  const tsx = import.meta.resolve('tsx/esm/api')
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(PEER.href)}) }).then(() => require('node:worker_threads').parentPort.postMessage('ready'))`
  // One worker loads its code at a time (Node 20's loader with tsx hooks can
  // fail to link a graph when several workers load at once; see LOAD_GATE in src/thread/warm-worker.ts).
  let worker!: Worker
  const ready = loading.then(async () => {
    worker = new Worker(code, { eval: true })
    await once(worker, 'message', { signal: AbortSignal.timeout(60_000) })
  })
  loading = ready.catch(() => {})
  return {
    async run(op, payload) {
      await ready
      worker.postMessage({ op, payload: await encode(payload) })
      const [reply] = await once(worker, 'message', { signal: AbortSignal.timeout(60_000) })
      return unwrap(reply)
    },
    async close() {
      await ready
      // Ask it to end (closing its port), then give it 5 s to exit.
      const exited = once(worker, 'exit', { signal: AbortSignal.timeout(5000) })
      worker.postMessage({ op: 'stop' })
      try {
        await exited
      } catch {
        worker.unref()
        throw new Error('the worker thread did not exit within 5 s of closing its port: something in it (a pending native wait?) keeps it alive')
      }
    },
  }
}

function processPeer(): Peer {
  const child: ChildProcess = fork(PEER, { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: 'inherit' })
  return {
    async run(op, payload) {
      child.send({ op, payload: await encode(payload) })
      const [reply] = await once(child, 'message', { signal: AbortSignal.timeout(60_000) })
      return unwrap(reply)
    },
    async close() {
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
    },
  }
}
