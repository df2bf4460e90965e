/**
 * skein status, purge and worker against a real redis-server: what status
 * reports, what purge deletes (and what not), and a worker on plain node
 * serving a TypeScript task module through tsx — or failing its tasks
 * saying exactly why without it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { connect, type Cluster } from '../../src/cluster/index.js'
import { main } from '../../src/cli/main.js'
import { noRedis, useRedis } from '../helpers/redis.js'
import { skeinHere } from '../helpers/skein-cli.js'
import { tempDir } from '../helpers/temp-dir.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const skein = (args: string[]) => skeinHere(main, args)

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
    const text = await skein(['status', '--redis', redis.get().url, '--namespace', 'cli'])
    assert.equal(text.status, 0, text.stderr)
    assert.match(text.stdout, /^namespace cli at redis:\/\/127\.0\.0\.1:\d+\/?: \d+ keys/)
    assert.match(text.stdout, /\n  work: 0 workers alive \(0 processes\), backlog 2 messages \(3 tasks\), 1 dead letter/)
    assert.match(text.stdout, /\n  jobs: 2 items/)
    assert.match(text.stdout, /\n  done: 0 items, closed/)
    assert.match(text.stdout, /\n  orders: held, lease \d+ ms left/)
    assert.match(text.stdout, /\n  scores: 1 entry/)
    const json = await skein(['status', '--redis', redis.get().url, '--namespace', 'cli', '--json'])
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
    const status = JSON.parse((await skein(['status', '--redis', redis.get().url, '--namespace', 'cli', '--json'])).stdout) as { pools: Array<{ name: string; workers: Array<{ alive: boolean; concurrency: number }> }> }
    assert.deepEqual(status.pools.find((p) => p.name === 'ts')?.workers.map((w) => [w.alive, w.concurrency]), [[true, 1]])
  })

  test('worker on plain node without tsx near a TypeScript module fails its tasks saying exactly that', async () => {
    const alone = join(dir, 'alone')
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
    const dry = await skein(['purge', '--redis', redis.get().url, '--namespace', 'cli'])
    assert.equal(dry.status, 1)
    assert.match(dry.stderr, /would delete \d+ keys of namespace cli .*run again with --yes/)
    assert.equal((await cluster.redis.keys('cli:*')).length, before)
    await cluster.close()
    const done = await skein(['purge', '--redis', redis.get().url, '--namespace', 'cli', '--yes'])
    assert.equal(done.status, 0, done.stderr)
    assert.match(done.stdout, /^deleted \d+ keys of namespace cli/)
    cluster = await connect({ url: redis.get().url, namespace: 'cli' })
    assert.deepEqual(await cluster.redis.keys('cli:*'), [])
    assert.deepEqual((await cluster.redis.keys('cli2:*')).sort(), ['cli2:Queue:kept', 'cli2:Queue:kept:unfinished'])
    assert.equal(await cluster.Queue('done').closed(), false, 'a closed queue starts afresh')
  })
})
