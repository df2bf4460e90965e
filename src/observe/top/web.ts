/**
 * `skein top --web`: the same view over HTTP on 127.0.0.1, on a random port,
 * behind a random token carried in the URL.
 *
 * Why so guarded: the view names every process, thread and object of the
 * user, and loopback is reachable by every local user and by any web page
 * the user opens. So: bound to 127.0.0.1 only; every request must carry the
 * token (compared in constant time); the Host header must be the address we
 * printed (a DNS-rebinding page can't pass as 127.0.0.1); no CORS headers;
 * responses are no-store, no-referrer (the token never leaks in a Referer)
 * and the page may run only its own nonce'd script.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { pageHtml } from './page.js'
import type { Snapshot } from '../schema.js'

/** A running web view. */
export interface WebView {
  /** The URL to open, token included. */
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** Serves the web view; `take` makes a snapshot per request (at most one per 250 ms is taken). */
export async function serveWeb(take: () => Snapshot): Promise<WebView> {
  const token = randomBytes(18).toString('base64url')
  const expected = Buffer.from(token)
  let cached: { at: number; body: string } | undefined
  let port = 0
  const server: Server = createServer((req, res) => {
    try {
      handle(req, res)
    } catch (error) {
      send(res, 500, 'text/plain', `skein top: ${(error as Error).message}\n`)
    }
  })
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const host = req.headers.host ?? ''
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return send(res, 403, 'text/plain', 'forbidden: wrong Host\n')
    const given = Buffer.from(url.searchParams.get('token') ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return send(res, 403, 'text/plain', 'forbidden: open the URL that skein top printed (it carries a token)\n')
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n')
    if (url.pathname === '/') {
      const nonce = randomBytes(16).toString('base64')
      res.setHeader('Content-Security-Policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`)
      return send(res, 200, 'text/html; charset=utf-8', pageHtml(nonce))
    }
    if (url.pathname === '/snapshot.json') {
      const now = performance.now()
      if (cached === undefined || now - cached.at > 250) cached = { at: now, body: JSON.stringify(take()) }
      return send(res, 200, 'application/json', cached.body)
    }
    send(res, 404, 'text/plain', 'not found\n')
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}
