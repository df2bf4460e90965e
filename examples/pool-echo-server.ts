/**
 * A TCP echo server with a pool of workers behind it: the main process owns
 * the sockets (one event loop, many clients); every line a client sends is a
 * task for a Pool of 2 worker processes, whose answer is written back. 50
 * concurrent clients, each echo checked.
 *
 *   npx tsx examples/pool-echo-server.ts
 */
import { connect, createServer, type Server } from 'node:net'
import { Pool } from 'skein'
import { isEntry } from './entry.js'

const CLIENTS = 50
const LINES = 5

/** The work behind the server, in a worker process: echo the line, reversed, with the worker's pid. */
export function handleLine(line: string): string {
  return `${[...line].reverse().join('')} (pid ${process.pid})`
}

function serve(pool: Pool): Server {
  return createServer((socket) => {
    let buffered = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffered += chunk
      let newline: number
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        pool.apply(handleLine, [line]).then((reply) => socket.write(`${reply}\n`), (error: Error) => socket.write(`error: ${error.message}\n`))
      }
    })
  })
}

/** One client: sends LINES lines, expects each reversed back (in any order). */
function client(port: number, id: number): Promise<{ ok: boolean; pids: string[] }> {
  const lines = Array.from({ length: LINES }, (_, i) => `client ${id} line ${i}`)
  return new Promise((resolve, reject) => {
    let got = ''
    const s = connect(port, '127.0.0.1', () => s.write(lines.map((l) => `${l}\n`).join('')))
    s.setEncoding('utf8')
    s.on('data', (d: string) => {
      got += d
      const replies = got.split('\n').filter(Boolean)
      if (replies.length < LINES) return
      s.end()
      const echoed = replies.map((r) => /^(.*) \(pid (\d+)\)$/.exec(r))
      const ok = echoed.every((m) => m !== null) && lines.every((l) => echoed.some((m) => m![1] === [...l].reverse().join('')))
      resolve({ ok, pids: echoed.map((m) => m?.[2] ?? '?') })
    })
    s.on('error', reject)
  })
}

export async function main(): Promise<{ verified: number; workers: number }> {
  const pool = new Pool({ processes: 2 })
  const server = serve(pool)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const t = performance.now()
  const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(port, i)))
  const seconds = (performance.now() - t) / 1000
  server.close()
  pool.close()
  await pool.join()
  const verified = results.filter((r) => r.ok).length
  const workers = new Set(results.flatMap((r) => r.pids)).size
  console.log(`${verified}/${CLIENTS} clients got their ${LINES} lines back reversed in ${seconds.toFixed(2)} s, served by ${workers} worker processes`)
  if (verified !== CLIENTS) throw new Error(`only ${verified} of ${CLIENTS} clients were answered correctly`)
  return { verified, workers }
}

if (isEntry(import.meta.url)) await main()
