/**
 * The `skein` command line (src/cli/): help, version and usage errors with
 * their exit codes; `status` and `purge` against a real redis-server;
 * `worker` serving a TypeScript task module on plain node (through tsx, or
 * a clear error without it); `demo` running the compiled tour.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { connect, type Cluster } from '../../src/cluster/index.js'
import { noRedis, useRedis } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-dir.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version

/** `skein …` from the sources (under tsx). */
function skein(args: string[], options: { input?: string } = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, input: options.input ?? '' })
}

describe('skein: help, version, usage errors', () => {
  test('bare skein prints the usage on stderr and exits 2; --help prints it and exits 0', () => {
    const bare = skein([])
    assert.equal(bare.status, 2)
    assert.match(bare.stderr, /^usage: skein <command> \[options\]/)
    for (const name of ['demo', 'purge', 'status', 'worker']) assert.match(bare.stderr, new RegExp(`\\n  ${name} +\\S`))
    const help = skein(['--help'])
    assert.equal(help.status, 0)
    assert.equal(help.stdout, bare.stderr)
  })

  test('--version prints the package version', () => {
    const r = skein(['--version'])
    assert.equal(r.status, 0)
    assert.equal(r.stdout.trim(), version)
  })

  test('skein help <command> and skein <command> --help print its options; an unknown one exits 2', () => {
    const help = skein(['help', 'worker'])
    assert.equal(help.status, 0)
    assert.match(help.stdout, /^usage: skein worker --redis URL --pool NAME/)
    for (const option of ['--redis URL', '--pool NAME', '--namespace NS', '--concurrency N', '--root DIR', '-h, --help']) assert.ok(help.stdout.includes(option), option)
    assert.equal(skein(['worker', '--help']).stdout, help.stdout)
    assert.match(skein(['help', 'status']).stdout, /--json/)
    const unknown = skein(['help', 'nope'])
    assert.equal(unknown.status, 2)
    assert.match(unknown.stderr, /unknown command "nope"; the commands are demo, purge, status, worker/)
    assert.equal(skein(['nope']).status, 2)
    assert.match(skein(['--nope']).stderr, /unknown option "--nope"/)
  })

  test('wrong invocations exit 2 naming what is wrong, with the command\'s usage', () => {
    const missing = skein(['worker', '--pool', 'p'])
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /^skein worker: --redis URL is required\n\nusage: skein worker/)
    const unknownOption = skein(['status', '--redis', 'redis://x', '--colour'])
    assert.equal(unknownOption.status, 2)
    assert.match(unknownOption.stderr, /skein status: Unknown option '--colour'/)
    assert.equal(skein(['worker', '--redis', 'redis://x', '--pool', 'p', '--concurrency', 'two']).status, 2)
    assert.match(skein(['purge', '--redis', 'redis://x']).stderr, /--namespace NS is required/)
    assert.match(skein(['status', 'extra', '--redis', 'redis://x']).stderr, /Unexpected argument 'extra'|unexpected/i)
  })
})

describe('skein status, purge and worker against Redis', { skip: noRedis }, () => {
  const redis = useRedis()
  const dir = tempDir('skein-cli-')
  let cluster: Cluster
  const workers: ChildProcess[] = []

  /** `skein worker` on plain node (the compiled CLI: no tsx loader here), serving `root`. */
  function plainWorker(pool: string, workerRoot: string): ChildProcess {
    const child = spawn(process.execPath, [join(root, 'dist/cli.js'), 'worker', '--redis', redis.get().url, '--pool', pool, '--namespace', 'cli', '--concurrency', '1', '--root', workerRoot],
      { cwd: workerRoot, stdio: ['ignore', 'ignore', openSync(join(dir, `${pool}.log`), 'w')] })
    workers.push(child)
    return child
  }

  before(async () => {
    cluster = await connect({ url: redis.get().url, namespace: 'cli' })
  })
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL')
    await cluster?.close()
  })

  test('status lists queues (length, closed), pool backlog, dead letters, workers alive, locks, dicts; --json the same as data', async () => {
    const q = cluster.Queue<number>('jobs')
    await q.put(1); await q.put(2)
    await cluster.Queue('done').close()
    await cluster.Lock('orders', { lease: 60_000 }).acquire()
    await cluster.dict('scores').set('ada', 1)
    await cluster.redis.rpush('cli:Pool:work:tasks', `1 3 2 cli:Pool:work:reply:x\n…`, `1 3 1 cli:Pool:work:reply:x\n…`)
    await cluster.redis.rpush('cli:Pool:work:dead', 'reason\nmessage')
    const text = skein(['status', '--redis', redis.get().url, '--namespace', 'cli'])
    assert.equal(text.status, 0, text.stderr)
    assert.match(text.stdout, /^namespace cli at redis:\/\/127\.0\.0\.1:\d+\/?: \d+ keys/)
    assert.match(text.stdout, /\n  work: 0 workers alive \(0 processes\), backlog 2 messages \(3 tasks\), 1 dead letter/)
    assert.match(text.stdout, /\n  jobs: 2 items/)
    assert.match(text.stdout, /\n  done: 0 items, closed/)
    assert.match(text.stdout, /\n  orders: held, lease \d+ ms left/)
    assert.match(text.stdout, /\n  scores: 1 entry/)
    const json = skein(['status', '--redis', redis.get().url, '--namespace', 'cli', '--json'])
    const status = JSON.parse(json.stdout) as { pools: Array<{ name: string; backlog: { tasks: number }; dead: number }>; queues: Array<{ name: string; items: number; closed: boolean }> }
    assert.deepEqual(status.pools.map((p) => [p.name, p.backlog.tasks, p.dead]), [['work', 3, 1]])
    assert.deepEqual(status.queues.map((x) => [x.name, x.items, x.closed]), [['done', 0, true], ['jobs', 2, false]])
    await cluster.redis.del('cli:Pool:work:tasks', 'cli:Pool:work:dead')
  })

  test('worker on plain node serves a TypeScript task module through tsx installed in the project; status shows it alive', async () => {
    plainWorker('ts', root)
    const { triple } = await import('../fixtures/cluster-ts-task.js')
    const pool = cluster.Pool({ name: 'ts' })
    assert.deepEqual(await pool.apply(triple, [5]), { value: 15, by: 'typescript' })
    const status = JSON.parse(skein(['status', '--redis', redis.get().url, '--namespace', 'cli', '--json']).stdout) as { pools: Array<{ name: string; workers: Array<{ alive: boolean; concurrency: number }> }> }
    assert.deepEqual(status.pools.find((p) => p.name === 'ts')?.workers.map((w) => [w.alive, w.concurrency]), [[true, 1]])
  })

  test('worker on plain node without tsx near a TypeScript module fails its tasks saying exactly that', async () => {
    const alone = join(dir, 'alone')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(alone)
    copyFileSync(join(root, 'test/fixtures/cluster-ts-task.ts'), join(alone, 'task.mts')) // .mts: ESM without a package.json
    plainWorker('ts-alone', alone)
    const { triple } = await import(pathToFileURL(join(alone, 'task.mts')).href) as { triple: (x: number) => unknown }
    const pool = cluster.Pool({ name: 'ts-alone' })
    await assert.rejects(pool.apply(triple, [5]), (error: Error) => {
      assert.match(error.message, /can't load the TypeScript task module file:.*task\.mts: the file is there, but this worker runs Node v[\d.]+ without a TypeScript loader, and tsx is not installed/)
      assert.match(error.message, /npm install tsx/)
      assert.doesNotMatch(error.message, /deploy it there/)
      return true
    })
  })

  test('purge without --yes (not a terminal) deletes nothing and exits 1; with --yes every key of the namespace goes, and no other', async () => {
    for (const w of workers) w.kill('SIGTERM')
    for (const w of workers) if (w.exitCode === null) await new Promise((resolve) => w.once('exit', resolve))
    const other = await connect({ url: redis.get().url, namespace: 'cli2' })
    await other.Queue('kept').put(1)
    await other.close()
    const before = (await cluster.redis.keys('cli:*')).length
    assert.ok(before > 0)
    const dry = skein(['purge', '--redis', redis.get().url, '--namespace', 'cli'])
    assert.equal(dry.status, 1)
    assert.match(dry.stderr, /would delete \d+ keys of namespace cli .*run again with --yes/)
    assert.equal((await cluster.redis.keys('cli:*')).length, before)
    await cluster.close()
    const done = skein(['purge', '--redis', redis.get().url, '--namespace', 'cli', '--yes'])
    assert.equal(done.status, 0, done.stderr)
    assert.match(done.stdout, /^deleted \d+ keys of namespace cli/)
    cluster = await connect({ url: redis.get().url, namespace: 'cli' })
    assert.deepEqual(await cluster.redis.keys('cli:*'), [])
    assert.deepEqual((await cluster.redis.keys('cli2:*')).sort(), ['cli2:Queue:kept', 'cli2:Queue:kept:unfinished'])
    assert.equal(await cluster.Queue('done').closed(), false, 'a closed queue starts afresh')
  })
})

describe('skein demo', () => {
  test('runs the compiled tour (selected scenarios) and exits with its code', { timeout: 170_000 }, () => {
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.examples.json')], { cwd: root, encoding: 'utf8' })
    assert.ok(existsSync(join(root, '.build/examples/tour.js')), tsc.stdout)
    const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'demo', 'greenlet', 'timeout'], { cwd: root, encoding: 'utf8', timeout: 120_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /tour: 2\/2 passed/)
    const none = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'demo', 'no-such-scenario'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    assert.equal(none.status, 2)
  })
})
