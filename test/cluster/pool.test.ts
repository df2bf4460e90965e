/**
 * cluster.Pool against real workers: `skein worker` (src/cli.ts) started as
 * child processes, each running its tasks on local processes. Behaviour,
 * not timing: results and their order, load sharing, errors that keep their
 * origin, retries when a worker dies, WorkerCrashedError after maxAttempts.
 */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { connect, type Cluster } from '../../src/cluster/index.js'
import { WorkerCrashedError, Process } from '../../src/index.js'
import { noRedis, useRedis } from '../helpers/redis.js'
import { tempDir } from '../helpers/temp-dir.js'
import { square, add, slowSquare, whoRan, failCustom, announceThenSleep, logAndExit } from '../fixtures/cluster-pool-targets.js'
import { usePoolInChild } from '../fixtures/cluster-pool-child.js'
import { unloadable } from '../fixtures/pool-bad-module.js'

const cli = new URL('../../src/cli.ts', import.meta.url).pathname

/** Starts `skein worker` for `pool`, named `name` (its tasks see SKEIN_TEST_WORKER); its stderr goes to a file (a pipe would hold this process open). */
function startWorker(dir: string, url: string, pool: string, name: string, concurrency = 2): ChildProcess {
  const log = join(dir, `worker-${name}.log`)
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'worker', '--redis', url, '--pool', pool, '--namespace', 'pooltest', '--concurrency', String(concurrency)], {
    env: { ...process.env, SKEIN_TEST_WORKER: name },
    stdio: ['ignore', 'ignore', openSync(log, 'w')],
  })
  child.on('exit', (code, signal) => { if (code !== 0 && signal === null) process.stderr.write(`worker ${name} exited ${code}: ${readFileSync(log, 'utf8')}\n`) })
  return child
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('cluster.Pool', { skip: noRedis }, () => {
  const redis = useRedis()
  const dir = tempDir('skein-cluster-pool-')
  const workers: ChildProcess[] = []
  let cluster: Cluster
  before(async () => {
    cluster = await connect({ url: redis.get().url, namespace: 'pooltest' })
    workers.push(startWorker(dir, redis.get().url, 'main', 'A'), startWorker(dir, redis.get().url, 'main', 'B'))
    // Both registered before the load test, so neither has all of it to itself by starting first.
    for (;;) {
      if (await cluster.redis.hlen('pooltest:Pool:main:workers') === 2) break
      await new Promise((r) => setTimeout(r, 50))
    }
  })
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL')
    await cluster?.close()
  })

  test('apply, applyAsync, map, imap, imapUnordered, starmap on two workers', async () => {
    const pool = cluster.Pool({ name: 'main' })
    assert.equal(await pool.apply(square, [7]), 49)
    assert.equal(await pool.apply(add, [2, 3]), 5)

    let called: number | undefined
    const r = pool.applyAsync(slowSquare, [6, 10], { callback: (v) => { called = v } })
    assert.equal(await r.get(20_000), 36)
    assert.equal(called, 36)
    assert.equal(r.ready(), true)
    assert.equal(r.successful(), true)
    assert.equal(await r.wait(), true)

    const items = Array.from({ length: 1000 }, (_, i) => i)
    assert.deepEqual(await pool.map(square, items), items.map((x) => x * x))
    assert.deepEqual(await pool.map(square, items, { chunksize: 7 }), items.map((x) => x * x))
    assert.deepEqual(await pool.map(square, []), [])
    assert.deepEqual(await pool.starmap(add, [[1, 2], [3, 4], [5, 6]]), [3, 7, 11])

    const inOrder: number[] = []
    for await (const v of pool.imap(slowSquare, [5, 1, 4, 2, 3])) inOrder.push(v)
    assert.deepEqual(inOrder, [25, 1, 16, 4, 9])
    const anyOrder: number[] = []
    for await (const v of pool.imapUnordered(square, [1, 2, 3, 4], { chunksize: 2 })) anyOrder.push(v)
    assert.deepEqual(anyOrder.sort((a, b) => a - b), [1, 4, 9, 16])

    // Two workers share the load: items that take a while land on both.
    const who = await pool.map(whoRan, Array.from({ length: 24 }, (_, i) => i), { chunksize: 1 })
    assert.deepEqual(who.map(([x]) => x), Array.from({ length: 24 }, (_, i) => i))
    assert.deepEqual(new Set(who.map(([, w]) => w)), new Set(['A', 'B']))
  })

  test('a task error keeps its name, message and remote stack', async () => {
    const pool = cluster.Pool({ name: 'main' })
    await assert.rejects(pool.apply(failCustom, [3]), (error: Error) => {
      assert.equal(error.name, 'CustomError')
      assert.equal(error.message, 'bad item 3')
      assert.match(String(error.cause), /failCustom/)
      return true
    })
    let seen: unknown
    const r = pool.applyAsync(failCustom, [3], { errorCallback: (e) => { seen = e } })
    await assert.rejects(r.get(), /bad item 3/)
    assert.equal(r.successful(), false)
    assert.equal((seen as Error).name, 'CustomError')
    await assert.rejects(pool.map(failCustom, [1, 2, 3, 4], { chunksize: 1 }), { name: 'CustomError' })
  })

  test('close then join waits for the tasks submitted; later submissions throw', async () => {
    const pool = cluster.Pool({ name: 'main' })
    const results = [1, 2, 3].map((x) => pool.apply(slowSquare, [x, 50]))
    pool.close()
    await pool.join()
    assert.deepEqual(await Promise.all(results), [1, 4, 9])
    await assert.rejects(pool.apply(square, [1]), /closed/)
    await using disposed = cluster.Pool({ name: 'main' })
    assert.equal(await disposed.apply(square, [3]), 9)
  })

  test('a cluster Pool passed to a Process runs tasks from there', async () => {
    const pool = cluster.Pool({ name: 'main', maxAttempts: 2 })
    const child = new Process({ target: usePoolInChild, args: [pool, 9] })
    await child.start()
    await child.join(30_000)
    assert.equal(child.exitCode, 0)
  })

  test('a task module missing on the worker machine is a clear error naming it', async () => {
    // Under the workers' root (their working directory, the repository), where a deployed module would be.
    const file = new URL(`../fixtures/not-deployed-${process.pid}.mjs`, import.meta.url).pathname
    writeFileSync(file, 'export function here(x) { return x }\n')
    const { here } = await import(pathToFileURL(file).href) as { here: (x: number) => number }
    const pool = cluster.Pool({ name: 'main' })
    rmSync(file)
    await assert.rejects(pool.apply(here, [1]), (error: Error) => {
      assert.match(error.message, /can't import the task module/)
      assert.ok(error.message.includes(pathToFileURL(file).href), error.message)
      assert.match(error.message, /same path/)
      return true
    })
  })

  test('a task module that throws when a worker imports it is a clear error naming it', async () => {
    const pool = cluster.Pool({ name: 'main' })
    await assert.rejects(pool.apply(unloadable, [1]), (error: Error) => {
      assert.match(error.message, /can't import the task module .*pool-bad-module/)
      assert.match(error.message, /cannot load here/)
      return true
    })
    assert.equal(await pool.apply(square, [5]), 25)
  })

  test('a task whose local process dies runs maxAttempts times, then rejects with WorkerCrashedError', async () => {
    const pool = cluster.Pool({ name: 'main', maxAttempts: 2 })
    const log = join(dir, 'runs.log')
    await assert.rejects(pool.apply(logAndExit, [log]), (error: unknown) => {
      assert.ok(error instanceof WorkerCrashedError, String(error))
      assert.match(error.message, /maxAttempts/)
      return true
    })
    assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 2)
  })

  test('a worker SIGKILLed mid-task: the task runs again on another worker', async () => {
    const url = redis.get().url
    const first = startWorker(dir, url, 'kill', 'K1', 1)
    workers.push(first)
    const pool = cluster.Pool({ name: 'kill' })
    const result = pool.apply(announceThenSleep, [dir, 1500])
    await until(() => existsSync(join(dir, 'K1')))
    first.kill('SIGKILL')
    await exited(first)
    const second = startWorker(dir, url, 'kill', 'K2', 1)
    workers.push(second)
    assert.equal(await result, 'K2')
    second.kill('SIGTERM')
    assert.equal(await exited(second), 0)
  })

  test('a worker paused past its heartbeat: its task runs elsewhere, its late outcome is ignored', async () => {
    const url = redis.get().url
    const paused = startWorker(dir, url, 'pause', 'P1', 1)
    workers.push(paused)
    const pool = cluster.Pool({ name: 'pause' })
    const result = pool.apply(announceThenSleep, [dir, 1000])
    await until(() => existsSync(join(dir, 'P1')))
    paused.kill('SIGSTOP')
    const other = startWorker(dir, url, 'pause', 'P2', 1)
    workers.push(other)
    assert.equal(await result, 'P2')
    paused.kill('SIGCONT')
    // The resumed worker finishes its copy (at-least-once) and serves again; the pool carries on.
    assert.deepEqual(await pool.map(square, [1, 2, 3], { chunksize: 1 }), [1, 4, 9])
    paused.kill('SIGTERM')
    other.kill('SIGTERM')
    assert.equal(await exited(paused), 0)
    assert.equal(await exited(other), 0)
  })

  test('a worker killed on the last attempt: WorkerCrashedError, from the reaper', async () => {
    const url = redis.get().url
    const only = startWorker(dir, url, 'last', 'L1', 1)
    workers.push(only)
    const pool = cluster.Pool({ name: 'last', maxAttempts: 1 })
    const result = pool.apply(announceThenSleep, [dir, 5000])
    await until(() => existsSync(join(dir, 'L1')))
    only.kill('SIGKILL')
    await assert.rejects(result, (error: unknown) => {
      assert.ok(error instanceof WorkerCrashedError, String(error))
      assert.match(error.message, /heartbeat/)
      return true
    })
  })

  test('SIGTERM stops a worker after its tasks in hand', async () => {
    const url = redis.get().url
    const w = startWorker(dir, url, 'stop', 'S', 1)
    workers.push(w)
    const pool = cluster.Pool({ name: 'stop' })
    const result = pool.apply(announceThenSleep, [dir, 600])
    await until(() => existsSync(join(dir, 'S')))
    w.kill('SIGTERM')
    assert.equal(await result, 'S')
    assert.equal(await exited(w), 0)
  })

  test('bad options are clear errors', async () => {
    assert.throws(() => cluster.Pool({ name: '' }), /name must be a non-empty string/)
    assert.throws(() => cluster.Pool({ name: 'x', maxAttempts: 0 }), /maxAttempts.*positive integer/)
    assert.throws(() => cluster.Pool({ name: 'x', maxAttempts: 1.5 }), /maxAttempts.*positive integer/)
    assert.throws(() => cluster.Pool(undefined as never), /options must be an object/)
    const pool = cluster.Pool({ name: 'x' })
    await assert.rejects(pool.apply(square, 3 as never), /args must be an array/)
    await assert.rejects(pool.map(square, [1], { chunksize: 0 }), /chunksize must be a positive integer/)
    await assert.rejects(pool.join(), /close\(\)/)
    const { runWorker } = await import('../../src/cluster/index.js')
    await assert.rejects(runWorker({ url: redis.get().url, pool: '' }), /pool must be the non-empty name/)
    await assert.rejects(runWorker({ url: redis.get().url, pool: 'x', concurrency: 0 }), /concurrency.*positive integer/)
  })
})

describe('cluster.Pool across a Redis restart', { skip: noRedis }, () => {
  const redis = useRedis({ appendonly: true })
  const dir = tempDir('skein-cluster-pool-restart-')

  test('tasks in flight while Redis restarts (append-only) all get their outcome', async () => {
    const url = redis.get().url
    const cluster = await connect({ url, namespace: 'pooltest' })
    const worker = startWorker(dir, url, 'restart', 'R')
    try {
      const pool = cluster.Pool({ name: 'restart' })
      assert.equal(await pool.apply(square, [2]), 4)
      const items = Array.from({ length: 100 }, (_, i) => i)
      const result = pool.map(slowSquare, items, { chunksize: 1 })
      await new Promise((r) => setTimeout(r, 300))
      await redis.get().restart({ hard: true, downMs: 300 })
      assert.deepEqual(await result, items.map((x) => x * x))
    } finally {
      worker.kill('SIGKILL')
      await cluster.close()
    }
  })
})
