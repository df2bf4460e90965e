/**
 * A cluster worker against forged messages (anyone who can write to the
 * pool's Redis keys can write one), on a real redis-server with a real
 * `skein worker`: it runs only modules under its root, never `node:`,
 * `data:` or files elsewhere; it writes only to reply keys of its own
 * namespace and pool; a message it can't read goes to the dead-letter list
 * with its reason, is reported in one line, and the worker goes on serving.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { serialize } from 'node:v8'
import { pathToFileURL } from 'node:url'
import { connect, type Cluster } from '../../src/cluster/index.js'
import { CALL, FAILED, HANDLES, fromWire, readReply, taskMessage } from '../../src/cluster/pool/wire.js'
import { TaskGate } from '../../src/cluster/pool/task-gate.js'
import { noRedis, useRedis } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-dir.js'
import { square } from '../fixtures/cluster-pool-targets.js'

const cli = new URL('../../src/cli.ts', import.meta.url).pathname
const repo = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
const squareUrl = new URL('../fixtures/cluster-pool-targets.js', import.meta.url).href.replace(/\.js$/, '.ts')

describe('a cluster worker against forged messages', { skip: noRedis }, () => {
  const redis = useRedis()
  const dir = tempDir('skein-worker-security-')
  const log = join(dir, 'worker.log')
  const prefix = 'sec:Pool:guarded:'
  let worker: ChildProcess
  let cluster: Cluster
  let replies = 0

  before(async () => {
    cluster = await connect({ url: redis.get().url, namespace: 'sec' })
    // Its root is the working directory: the repository.
    worker = spawn(process.execPath, ['--import', 'tsx', cli, 'worker', '--redis', redis.get().url, '--pool', 'guarded', '--namespace', 'sec', '--concurrency', '1'],
      { cwd: repo, stdio: ['ignore', 'ignore', openSync(log, 'w')] })
    for (let waited = 0; await cluster.redis.hlen(`${prefix}workers`) < 1; waited += 50) {
      if (waited > 60_000 || worker.exitCode !== null) assert.fail(`the worker did not register within 60 s (exit code ${worker.exitCode}): ${readFileSync(log, 'utf8')}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  })
  after(async () => {
    worker?.kill('SIGKILL')
    await cluster?.close()
  })

  /** Pushes a forged call of `url#name`(…args) and returns its one outcome. */
  async function forged(url: string, name: string, args: unknown[], kind = CALL): Promise<[number, unknown]> {
    const reply = `${prefix}reply:forger-${++replies}`
    await cluster.redis.rpush(`${prefix}tasks`, taskMessage(1, 1, reply, { fns: [url, name], tasks: [1, 0, kind, args] }))
    const got = await cluster.redis.blpopBuffer(reply, 60)
    assert.ok(got !== null, 'an outcome came back')
    const what = readReply(got[1])
    assert.equal(what.kind, 'results')
    const flat = (what as { flat: unknown[] }).flat
    assert.equal(flat[0], 1)
    return [flat[1] as number, flat[2]]
  }

  function refused(outcome: [number, unknown], pattern: RegExp): void {
    assert.equal(outcome[0], FAILED, `refused, not run: ${JSON.stringify(outcome)}`)
    const error = outcome[1] as { name: string; message: string }
    assert.equal(error.name, 'TaskRefusedError')
    assert.match(error.message, pattern)
  }

  async function stillServes(): Promise<void> {
    assert.equal(await cluster.Pool({ name: 'guarded' }).apply(square, [9]), 81)
  }

  async function deadLetters(n: number): Promise<string[]> {
    for (let i = 0; i < 600 && await cluster.redis.llen(`${prefix}dead`) < n; i++) await new Promise((r) => setTimeout(r, 50))
    return (await cluster.redis.lrangeBuffer(`${prefix}dead`, 0, -1)).map((b) => b.toString('latin1'))
  }

  test('a module file outside its root is refused, never imported', async () => {
    const marker = join(dir, 'imported')
    const evil = join(dir, 'evil.mjs')
    writeFileSync(evil, `import { writeFileSync } from 'node:fs'\nwriteFileSync(${JSON.stringify(marker)}, 'x')\nexport function run() { return 'ran' }\n`)
    refused(await forged(pathToFileURL(evil).href, 'run', []), /outside the worker's root/)
    // A symlink under the root to a file outside it is outside too (resolved through symlinks).
    const link = join(repo, `test/fixtures/.link-${process.pid}.mjs`)
    symlinkSync(evil, link)
    try {
      refused(await forged(pathToFileURL(link).href, 'run', []), /outside the worker's root/)
    } finally {
      (await import('node:fs')).rmSync(link, { force: true })
    }
    assert.equal(existsSync(marker), false, 'the module was never imported')
    await stillServes()
  })

  test('node:child_process, data: and http: modules are refused; each refused message is kept as a dead letter with its reason', async () => {
    const marker = join(dir, 'executed')
    const before = (await deadLetters(0)).length
    refused(await forged('node:child_process', 'execSync', [`touch ${marker}`]), /never serves node: modules/)
    refused(await forged(`data:text/javascript,import('node:fs').then((fs) => fs.writeFileSync(${JSON.stringify(marker)}, 'x')); export const run = () => 1`, 'run', []), /never serves data: modules/)
    refused(await forged('http://127.0.0.1:1/evil.mjs', 'run', []), /never serves http: modules/)
    refused(await forged(squareUrl, '__proto__', []), /not an identifier/)
    refused(await forged(squareUrl, 'constructor', []), /not an identifier/)
    assert.equal(existsSync(marker), false, 'nothing ran')
    const dead = (await deadLetters(before + 5)).slice(before).map((d) => d.slice(0, d.indexOf('\n')))
    assert.equal(dead.length, 5)
    assert.match(dead[0]!, /^refused node:child_process#execSync: a worker never serves node: modules/)
    assert.match(dead[4]!, /^refused .*#constructor: the export name "constructor" is not an identifier/)
    await stillServes()
  })

  test('a cluster-object argument naming a local shared object is refused as a clear error', async () => {
    const outcome = await forged(squareUrl, 'square', [{ __skein_handle__: { kind: 'skein.SharedMemory', name: 'psm_forged' } }], CALL | HANDLES)
    assert.equal(outcome[0], FAILED)
    assert.match((outcome[1] as Error).message, /only cluster objects cross machines/)
  })

  test('a reply key outside the pool: nothing written there, the message dead-lettered with the reason', async () => {
    const before = (await deadLetters(0)).length
    await cluster.redis.rpush(`${prefix}tasks`, taskMessage(1, 1, 'victim:key', { fns: [squareUrl, 'square'], tasks: [1, 0, CALL, [3]] }))
    const dead = await deadLetters(before + 1)
    assert.equal(dead.length, before + 1)
    assert.match(dead.at(-1)!, /^its reply key victim:key is not one of this pool/)
    await stillServes()
    assert.equal(await cluster.redis.exists('victim:key'), 0)
  })

  test('messages it cannot read (no header, a bad count, a body of the wrong type) go to the dead-letter list; one line each; the worker goes on', async () => {
    const before = (await deadLetters(0)).length
    const wentDead = (): number => readFileSync(log, 'utf8').split('\n').filter((l) => l.includes(`went to ${prefix}dead`)).length
    const linesBefore = wentDead()
    await cluster.redis.rpush(`${prefix}tasks`, Buffer.from('no header at all'))
    await cluster.redis.rpush(`${prefix}tasks`, Buffer.concat([Buffer.from(`1 1 x ${prefix}reply:f\n`), serialize({})]))
    await cluster.redis.rpush(`${prefix}tasks`, Buffer.concat([Buffer.from(`1 1 1 ${prefix}reply:f\n`), serialize('not a body')]))
    await cluster.redis.rpush(`${prefix}tasks`, Buffer.concat([Buffer.from(`1 1 2 ${prefix}reply:f\n`), serialize({ fns: [squareUrl, 'square'], tasks: [1, 0, CALL, [2]] })]))
    const dead = await deadLetters(before + 4)
    assert.equal(dead.length, before + 4)
    // Each entry is the reason, a newline, then the message as it was (the order depends on which take met it first).
    const reasonOf = new Map(dead.slice(before).map((d) => [d.slice(d.indexOf('\n') + 1, d.indexOf('\n') + 8), d.slice(0, d.indexOf('\n'))]))
    assert.match(reasonOf.get('no head')!, /no header line/)
    assert.match(reasonOf.get('1 1 x s')!, /no header line/)
    assert.match(reasonOf.get(`1 1 1 s`)!, /body is not an object/)
    assert.match(reasonOf.get(`1 1 2 s`)!, /does not hold the 2 tasks its header counts/)
    await stillServes()
    // One line each (refused tasks, also kept as dead letters, log their own "refused" lines instead).
    for (let waited = 0; wentDead() < linesBefore + 4 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50))
    assert.equal(wentDead(), linesBefore + 4, readFileSync(log, 'utf8'))
    assert.equal(worker.exitCode, null, 'the worker is still running')
  })
})

describe('TaskGate: which modules a worker serves', () => {
  const dir = tempDir('skein-task-gate-')

  test('files under the root (resolved through symlinks), exports that are identifiers; nothing else', () => {
    const root = join(dir, 'root')
    mkdirSync(join(root, 'lib'), { recursive: true })
    writeFileSync(join(root, 'lib', 'work.mjs'), '')
    writeFileSync(join(dir, 'outside.mjs'), '')
    symlinkSync(join(dir, 'outside.mjs'), join(root, 'lib', 'sneaky.mjs'))
    symlinkSync(root, join(dir, 'root-link'))
    const gate = new TaskGate(join(dir, 'root-link'), 'test')
    assert.equal(gate.root, root)
    assert.equal(gate.refusal(pathToFileURL(join(root, 'lib', 'work.mjs')).href, 'run'), undefined)
    assert.equal(gate.refusal(pathToFileURL(join(dir, 'root-link', 'lib', 'work.mjs')).href, 'default'), undefined)
    assert.equal(gate.refusal(pathToFileURL(join(root, 'lib', 'missing.mjs')).href, 'run'), undefined, 'a missing file under the root is for the runner to report')
    assert.match(gate.refusal(pathToFileURL(join(root, 'lib', 'sneaky.mjs')).href, 'run')!, /outside the worker's root/)
    assert.match(gate.refusal(pathToFileURL(join(root, '..', 'outside.mjs')).href, 'run')!, /outside/)
    assert.match(gate.refusal(pathToFileURL(root).href, 'run')!, /outside/)
    assert.match(gate.refusal('node:fs', 'readFileSync')!, /node:/)
    assert.match(gate.refusal('file://otherhost/etc/passwd', 'x')!, /not a file URL/)
    assert.match(gate.refusal('not a url', 'x')!, /not a file URL/)
    assert.match(gate.refusal(pathToFileURL(join(root, 'lib', 'work.mjs')).href, 'a.b')!, /not an identifier/)
    assert.throws(() => new TaskGate(join(dir, 'nope'), 'runWorker({ root })'), /runWorker\(\{ root \}\): the root .* does not exist/)
    assert.throws(() => new TaskGate(join(root, 'lib', 'work.mjs'), 'runWorker({ root })'), /not a directory/)
  })

  test("an error read from a reply list that is not an error's shape is described, not trusted", () => {
    assert.match(fromWire(null).message, /can't be read/)
    assert.match(fromWire({ name: 'x', message: 1 }).message, /can't be read/)
    const e = fromWire({ name: 'TypeError', message: 'm', stack: 's' })
    assert.ok(e instanceof TypeError)
    assert.equal(e.cause, 's')
    assert.equal(fromWire({ name: 'constructor', message: 'm' }).name, 'constructor')
  })
})
