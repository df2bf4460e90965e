/**
 * A gevent-style crawler: 1,000 requests to a local HTTP server (each answer
 * delayed ~20 ms), at most 100 at a time through a `TaskPool(100)`, against
 * fetching the first 50 one by one (extrapolated to 1,000).
 *
 * Run alone: npx tsx examples/crawler.ts
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { TaskPool } from 'skein'
import { isEntry } from './entry.js'

const PAGES = 1_000
const CONCURRENCY = 100
const DELAY_MS = 20
const SERIAL_SAMPLE = 50

/** Starts a server on 127.0.0.1 (a free port) answering `/page/N` after DELAY_MS. */
async function startServer(): Promise<{ server: http.Server; base: string }> {
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(`you asked for ${req.url}`)
    }, DELAY_MS)
  })
  server.maxConnections = 10_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, base: `http://127.0.0.1:${port}` }
}

/** GETs a URL through a keep-alive agent; resolves with the body length. */
function get(agent: http.Agent, url: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, signal }, (res) => {
      let n = 0
      res.on('data', (chunk: Buffer) => { n += chunk.length })
      res.on('end', () => resolve(n))
      res.on('error', reject)
    })
    req.on('error', reject)
  })
}

/** Rewrites one line on a TTY; prints every 25% otherwise. */
function progress(): (done: number) => void {
  let lastQuarter = -1
  return (done) => {
    if (process.stdout.isTTY) {
      process.stdout.write(`\r  crawled ${done}/${PAGES} pages`)
      if (done === PAGES) process.stdout.write('\n')
    } else {
      const quarter = Math.floor((done / PAGES) * 4)
      if (quarter !== lastQuarter) {
        lastQuarter = quarter
        console.log(`  crawled ${done}/${PAGES} pages`)
      }
    }
  }
}

/** Runs the crawler demo and prints the speedup. */
export async function main(): Promise<void> {
  const { server, base } = await startServer()
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  try {
    const urls = Array.from({ length: PAGES }, (_, i) => `${base}/page/${i}`)

    // one by one, for a sample
    const t0 = performance.now()
    for (const url of urls.slice(0, SERIAL_SAMPLE)) await get(agent, url, AbortSignal.timeout(5000))
    const serialMs = ((performance.now() - t0) / SERIAL_SAMPLE) * PAGES

    // gevent style: a pool of 100; imapUnordered yields pages as they arrive
    console.log(`crawling ${PAGES} pages, ${CONCURRENCY} at a time (server delay ${DELAY_MS} ms each)`)
    const pool = new TaskPool(CONCURRENCY)
    const show = progress()
    const t1 = performance.now()
    let done = 0
    let bytes = 0
    for await (const n of pool.imapUnordered((signal, url: string) => get(agent, url, signal), urls)) {
      bytes += n
      show(++done)
    }
    const poolMs = performance.now() - t1

    console.log(`pool of ${CONCURRENCY}: ${PAGES} pages (${bytes} bytes) in ${poolMs.toFixed(0)} ms`)
    console.log(`one by one: ~${serialMs.toFixed(0)} ms (first ${SERIAL_SAMPLE} timed, extrapolated to ${PAGES})`)
    console.log(`speedup: ${(serialMs / poolMs).toFixed(1)}x`)
  } finally {
    agent.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

if (isEntry(import.meta.url)) await main()
