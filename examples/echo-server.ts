/**
 * Echo server: each TCP client served in its own Process (the accepted
 * socket is passed to the child as a handle — Python's server-per-connection
 * pattern), then in its own Thread. 50 concurrent clients; every echo is
 * checked byte for byte.
 *
 * Threads cannot receive sockets (a socket belongs to one event loop; Node
 * has no way to move it to a worker). Decision: the main thread keeps the
 * socket and relays its bytes over a MessagePort passed to the Thread as an
 * argument (MessagePort arguments are transferred); the thread does the
 * work — here, echoing — and its replies are written back by the main thread.
 *
 *   npx tsx examples/echo-server.ts
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { Process, Thread, getStartMethod } from 'skein'
import { isEntry } from './entry.js'

const CLIENTS = Number(process.env.CLIENTS ?? 50)

/** Runs in a child process: echoes one client's socket until it ends. */
export function serveSocket(socket: Socket): void {
  socket.on('data', (chunk) => socket.write(chunk))
  socket.on('end', () => socket.end())
  socket.resume()
}

/** Runs in a thread: echoes what arrives on the port until null. */
export function servePort(port: MessagePort): void {
  port.on('message', (chunk: Uint8Array | null) => (chunk === null ? port.close() : port.postMessage(chunk)))
}

function relayToThread(socket: Socket): void {
  const { port1, port2 } = new MessageChannel()
  socket.on('data', (chunk) => port1.postMessage(chunk))
  socket.on('end', () => port1.postMessage(null))
  port1.on('message', (chunk: Uint8Array) => socket.write(chunk))
  port1.on('close', () => socket.end())
  new Thread({ target: servePort, args: [port2] }).start().catch((e) => { console.error(e); socket.destroy() })
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

/** One client: sends a distinct message in pieces, checks the echo. */
function client(port: number, id: number): Promise<boolean> {
  const message = Buffer.from(`client ${id}: ${'0123456789abcdef'.repeat(64 + id)}\n`)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const s = connect(port, '127.0.0.1', () => {
      s.write(message.subarray(0, 100))
      setTimeout(() => s.end(message.subarray(100)), 10)
    })
    s.on('data', (d) => chunks.push(d))
    s.on('end', () => resolve(Buffer.concat(chunks).equals(message)))
    s.on('error', reject)
  })
}

async function round(label: string, server: Server): Promise<void> {
  const port = await listen(server)
  const t = performance.now()
  const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(port, i)))
  const seconds = (performance.now() - t) / 1000
  server.close()
  const verified = results.filter(Boolean).length
  console.log(`${label}: ${verified}/${CLIENTS} echoes verified in ${seconds.toFixed(2)} s`)
  if (verified !== CLIENTS) throw new Error(`${label}: only ${verified} of ${CLIENTS} echoes came back intact`)
}

export async function main(): Promise<void> {
  const children: Process[] = []
  const startMs: number[] = []
  const byProcess = createServer({ pauseOnConnect: true }, (socket) => {
    const p = new Process({ target: serveSocket, args: [socket] })
    children.push(p)
    const t = performance.now()
    p.start().then(() => { startMs.push(performance.now() - t) }, (e) => { console.error(e); socket.destroy() })
  })
  await round('a Process per client', byProcess)
  for (const p of children) await p.join()
  const clean = children.every((p) => p.exitCode === 0)
  startMs.sort((a, b) => a - b)
  console.log(`  ${children.length} child processes ('${getStartMethod()}' start method, median start ${(startMs[startMs.length >> 1] ?? 0).toFixed(1)} ms), exit codes all 0: ${clean}`)
  if (!clean) throw new Error('a per-client process did not exit with code 0')

  await round('a Thread per client (bytes relayed over a MessagePort)', createServer({ allowHalfOpen: true }, relayToThread))
}

if (isEntry(import.meta.url)) await main()
