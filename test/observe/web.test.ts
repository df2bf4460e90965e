/**
 * `skein top --web` in headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against a real program deadlocked between two processes:
 * the page shows the deadlock, the wait-for graph with the cycle drawn in
 * red, and the threads; the server refuses requests without the token or
 * with a foreign Host. Skipped, with a line saying why, where chromium is
 * not installed (CI installs it: .ci/run).
 *
 * SKEIN_SCREENSHOT=path saves the page as a PNG (docs/observability-web.png
 * is made this way).
 */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { snapshot } from '../../src/index.js'
import { eventually, runProgram, type Program } from '../helpers/program.js'

const CHROMIUM = '/usr/bin/chromium'
const missing = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; CI installs it)`

/** A GET with a chosen Host header: status and body. */
function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = request({ host: '127.0.0.1', port: u.port, path: u.pathname + u.search, headers: host === undefined ? {} : { host } }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('skein top --web', { skip: missing }, () => {
  let program: Program
  let server: Program
  let url: string
  const tmp = mkdtempSync(join(tmpdir(), 'skein-web-test-'))

  before(async () => {
    program = runProgram('test/fixtures/deadlock-program.ts', ['processes'], { SKEIN_DEADLOCKS: 'off' })
    const pid = Number((await program.line(/^pid \d+/)).split(' ')[1])
    await program.line(/^waiting/)
    await eventually('the deadlock', () => snapshot({ pid }).deadlocks[0])
    server = runProgram('src/cli.ts', ['top', '--web', '--pid', String(pid)])
    url = (await server.line(/^skein top: http:\/\/127\.0\.0\.1:\d+\/\?token=/)).slice('skein top: '.length)
  })

  after(() => {
    server?.kill()
    program?.kill()
    rmSync(tmp, { recursive: true, force: true })
  })

  test('the token and the Host are checked; the snapshot is served with the token', async () => {
    const u = new URL(url)
    const token = u.searchParams.get('token')!
    assert.ok(token.length >= 24)
    assert.equal((await get(`http://127.0.0.1:${u.port}/`)).status, 403)
    assert.equal((await get(`http://127.0.0.1:${u.port}/?token=${token.slice(0, -1)}x`)).status, 403)
    assert.equal((await get(url, `evil.example:${u.port}`)).status, 403)
    const json = await get(`http://127.0.0.1:${u.port}/snapshot.json?token=${token}`)
    assert.equal(json.status, 200)
    assert.equal(JSON.parse(json.body).deadlocks.length, 1)
  })

  test('Chromium shows the deadlock, the cycle in the graph, and the threads', async () => {
    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      // playwright gives each launch a new empty --user-data-dir of its own
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } })
      const problems: string[] = []
      page.on('pageerror', (e) => problems.push(e.message))
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()) })
      await page.goto(url)
      const deadlock = page.locator('#deadlocks .deadlock')
      await deadlock.waitFor({ timeout: 30_000 })
      assert.equal(await deadlock.count(), 1)
      const text = await deadlock.innerText()
      assert.match(text, /Deadlock: 2 threads wait for each other/)
      assert.match(text, /"MainProcess" holds Lock "orders", waits for Lock "stock"/)
      assert.match(text, /"Side-B" holds Lock "stock", waits for Lock "orders"/)
      assert.match(text, /deadlock-program\.ts:\d+/)
      // The graph: both threads and both locks on the cycle, four red edges (waits for, held by).
      assert.equal(await page.locator('#graph g.node.cycle').count(), 4)
      assert.equal(await page.locator('#graph line.edge.cycle').count(), 4)
      const objects = await page.locator('#graph g.node-object.cycle').evaluateAll((gs) => gs.map((g) => [...g.querySelectorAll('text')].map((t) => t.textContent).join(' ')))
      assert.deepEqual(objects.sort(), ['Lock orders', 'Lock stock'])
      // The table of threads.
      const threads = await page.locator('#threads tbody').innerText()
      assert.match(threads, /Side-B/)
      assert.match(threads, /Lock "stock" — async acquire/)
      // Refreshed every second: the page's timestamp moves.
      const first = await page.locator('body').getAttribute('data-updated')
      type Page = { document: { body: { dataset: Record<string, string | undefined> } } } // (the checked test tsconfig has no DOM lib)
      await page.waitForFunction((t) => (globalThis as unknown as Page).document.body.dataset.updated !== t, first, { timeout: 10_000 })
      const shot = process.env.SKEIN_SCREENSHOT ?? join(tmp, 'top.png')
      await page.screenshot({ path: shot, fullPage: true })
      assert.ok(statSync(shot).size > 10_000)
      assert.deepEqual(problems, [], 'no script errors, nothing refused by the CSP')
    } finally {
      await browser.close()
    }
  })

  test('Ctrl-C stops the server', async () => {
    server.child.kill('SIGINT')
    assert.equal(await server.exit(), 0)
  })
})
