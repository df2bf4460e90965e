import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, createServer } from 'node:net'
import { Process } from '../../src/process/index.js'
import { echoSocket } from '../fixtures/targets.js'

test('a net.Socket argument is passed to the child as a handle (server per connection)', async () => {
  const children: Process[] = []
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    const p = new Process({ target: echoSocket, args: [socket] })
    children.push(p)
    void p.start()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const echo = (text: string) => new Promise<string>((resolve, reject) => {
    let got = ''
    const s = connect(port, '127.0.0.1', () => s.end(text))
    s.on('data', (d) => { got += d })
    s.on('end', () => resolve(got))
    s.on('error', reject)
  })
  assert.deepEqual(await Promise.all([echo('one'), echo('two'), echo('three')]), ['one', 'two', 'three'])
  server.close()
  for (const p of children) await p.join()
  assert.deepEqual(children.map((p) => p.exitCode), [0, 0, 0])
  assert.equal(new Set(children.map((p) => p.pid)).size, 3)
})
