import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { Process, activeChildren, currentProcess, parentProcess, isMainProcess, cpuCount } from '../../src/process/index.js'
import { noop, exitWith, sleep, writeJson } from '../fixtures/targets.js'
import { Reporter } from '../fixtures/subclass.js'
import { signalSelf, signalSelfLater, ignoredSignalThenExit } from '../fixtures/kill-targets.js'
import { tempDir } from '../helpers/temp-dir.js'

const dir = tempDir('skein-process-')

test('a target from another module runs and exits 0', async () => {
  const p = new Process({ target: noop })
  assert.equal(p.isAlive(), false)
  assert.equal(p.exitCode, null)
  await p.start()
  assert.equal(typeof p.pid, 'number')
  await p.join()
  assert.equal(p.exitCode, 0)
  assert.equal(p.isAlive(), false)
})

test('process.exit(3) in the target gives exit code 3', async () => {
  const p = new Process({ target: exitWith, args: [3] })
  await p.start()
  await p.join()
  assert.equal(p.exitCode, 3)
})

test('terminate gives -15 and kill gives -9; join with a timeout returns while the child sleeps', async () => {
  const a = new Process({ target: sleep, args: [60_000] })
  const b = new Process({ target: sleep, args: [60_000] })
  await a.start()
  await b.start()
  await a.join(100)
  assert.equal(a.isAlive(), true)
  assert.equal(a.exitCode, null)
  a.terminate()
  b.kill()
  await a.join()
  await b.join()
  assert.equal(a.exitCode, -15)
  assert.equal(b.exitCode, -9)
  assert.equal(a.isAlive(), false)
})

test('a child that signals itself reports -N (Python\'s rule): SIGKILL and SIGTERM, at once or from a timer, joined or joinSync\'d', async () => {
  const cases: Array<[Parameters<typeof signalSelf>[0], number, boolean]> = [['SIGKILL', -9, false], ['SIGTERM', -15, false], ['SIGKILL', -9, true], ['SIGTERM', -15, true]]
  for (const [signal, code, later] of cases) {
    const p = later ? new Process({ target: signalSelfLater, args: [signal, 20] }) : new Process({ target: signalSelf, args: [signal] })
    await p.start()
    await p.join(60_000)
    assert.equal(p.exitCode, code, `${signal}${later ? ' from a timer' : ''}`)
  }
  const s = new Process({ target: signalSelfLater, args: ['SIGKILL', 20] })
  await s.start()
  s.joinSync(60_000)
  assert.equal(s.exitCode, -9, 'joinSync')
  const ignored = new Process({ target: ignoredSignalThenExit, args: [4] })
  await ignored.start()
  await ignored.join(60_000)
  assert.equal(ignored.exitCode, 4, 'a self-signal the child survives leaves its exit path intact')
})

test('joinSync waits for the child and records its exit code', async () => {
  const p = new Process({ target: exitWith, args: [5] })
  await p.start()
  p.joinSync()
  assert.equal(p.exitCode, 5)
  assert.equal(p.isAlive(), false)
  const q = new Process({ target: sleep, args: [60_000] })
  await q.start()
  q.joinSync(50)
  assert.equal(q.isAlive(), true)
  q.kill()
  q.joinSync()
  assert.equal(q.exitCode, -9)
})

test("the 'exit' event reports the exit code", async () => {
  const p = new Process({ target: exitWith, args: [7] })
  const code = new Promise((resolve) => p.on('exit', resolve))
  await p.start()
  assert.equal(await code, 7)
})

test('pid and parent pid, and the child knows its name', async () => {
  const path = join(dir, 'ids.json')
  const p = new Process({ target: writeJson, args: [path, 'x'], name: 'ids' })
  assert.equal(p.name, 'ids')
  await p.start()
  await p.join()
  const seen = JSON.parse(readFileSync(path, 'utf8'))
  assert.equal(seen.pid, p.pid)
  assert.equal(seen.ppid, process.pid)
})

test('subclass fields are cloned to the child and run() is called there', async () => {
  const path = join(dir, 'reporter.json')
  const r = new Reporter({ name: 'reporter' })
  r.path = path
  r.numbers = [1, 2, 3, 4]
  r.table.set('big', 2n ** 70n)
  await r.start()
  await r.join()
  assert.equal(r.exitCode, 0)
  const seen = JSON.parse(readFileSync(path, 'utf8'))
  assert.deepEqual(seen, { sum: 10, table: [`big=${2n ** 70n}`], name: 'reporter', current: 'reporter', parent: process.pid, pid: r.pid, isReporter: true })
})

test('default names and module functions', () => {
  assert.match(new Process().name, /^Process-\d+$/)
  assert.equal(isMainProcess(), true)
  assert.equal(parentProcess(), null)
  assert.deepEqual(currentProcess(), { name: 'MainProcess', pid: process.pid, daemon: false })
  assert.ok(cpuCount() >= 1)
})

test('activeChildren lists running children and forgets finished ones', async () => {
  const p = new Process({ target: sleep, args: [60_000] })
  await p.start()
  assert.ok(activeChildren().includes(p))
  p.kill()
  await p.join()
  assert.ok(!activeChildren().includes(p))
})

test('misuse: start twice, join unstarted, close while running, set daemon after start', async () => {
  const p = new Process({ target: sleep, args: [60_000] })
  assert.throws(() => p.join(), /never started: call start\(\) first/)
  assert.throws(() => p.joinSync(), /never started/)
  const started = p.start()
  assert.throws(() => p.start(), /start\(\) called twice/)
  assert.throws(() => p.joinSync(), /before start\(\) finished/)
  await started
  assert.throws(() => p.close(), /still running: join\(\) or terminate\(\)/)
  assert.throws(() => { p.daemon = true }, /after start\(\)/)
  p.kill()
  await p.join()
  p.close()
  assert.throws(() => p.start(), /closed/)
})

test('an arrow function, a closure, a non-exported function: TypeError before anything is spawned', async () => {
  const before = activeChildren().length
  function local(): void {}
  await assert.rejects(new Process({ target: () => 1 }).start(), (e: Error) => e instanceof TypeError && /arrow function/.test(e.message) && /export/i.test(e.message))
  await assert.rejects(new Process({ target: local }).start(), (e: Error) => e instanceof TypeError && /local/.test(e.message) && /Export it/.test(e.message))
  await assert.rejects(new Process({ target: noop.bind(null) }).start(), TypeError)
  assert.throws(() => new Process({ target: 42 as never }), TypeError)
  assert.equal(activeChildren().length, before)
})

test('an uncloneable argument: TypeError naming it, before anything is spawned', async () => {
  const p = new Process({ target: writeJson, args: ['x', { fn(): void {} }] })
  await assert.rejects(p.start(), { name: 'TypeError', message: /: the 2nd argument \(args\[1\]\) holds a function fn at \.fn, which can't be cloned into the child/ })
  assert.equal(p.pid, undefined)
  assert.equal(p.isAlive(), false)
})

test('a cwd that does not exist or is not a directory: start rejects naming it (it resolved, and the child exited 1), under both start methods', async () => {
  for (const startMethod of ['forkserver', 'spawn'] as const) {
    for (const [cwd, why] of [['/no/such/skein/dir', /does not exist/], ['/etc/passwd', /is not a directory/]] as const) {
      const p = new Process({ target: writeJson, args: ['x', 1], cwd, startMethod })
      await assert.rejects(p.start(), { message: new RegExp(`options.cwd '${cwd}' ${why.source}`) }, `${startMethod} ${cwd}`)
      assert.equal(p.pid, undefined)
      assert.equal(p.isAlive(), false)
    }
  }
})

test('a cwd elsewhere (where the parent\'s --import tsx would not resolve): the child runs there, under both start methods', async () => {
  const dir = tempDir('skein-cwd-')
  for (const startMethod of ['forkserver', 'spawn'] as const) {
    const p = new Process({ target: writeJson, args: [`${startMethod}.json`, 1], cwd: dir, startMethod })
    await p.start()
    await p.join(60_000)
    assert.equal(p.exitCode, 0, startMethod)
    assert.equal(JSON.parse(readFileSync(join(dir, `${startMethod}.json`), 'utf8')).pid, p.pid, `${startMethod}: a relative path is the child's cwd's`)
  }
})

test('an uncloneable argument is named by its class and where it sits, as the user wrote it', async () => {
  class Secret { #x = 1 }
  const cases: Array<[unknown[], RegExp]> = [
    [[() => 1], /the 1st argument \(args\[0\]\) is an anonymous function, which can't be cloned/],
    [[1, 2, Symbol('s')], /the 3rd argument \(args\[2\]\) is a Symbol\(s\),/],
    [[new WeakMap()], /the 1st argument \(args\[0\]\) is a WeakMap,/],
    [[Promise.resolve(1)], /is a Promise,/],
    [[{ deep: [0, new Map([['k', { secret: new Secret(), onDone: function onDone() {} }]])] }], /the 1st argument \(args\[0\]\) holds a function onDone at \.deep\[1\]\.get\("k"\)\.onDone,/],
  ]
  for (const [args, message] of cases) {
    const p = new Process({ target: writeJson, args })
    await assert.rejects(p.start(), { name: 'TypeError', message }, String(message))
    assert.equal(p.pid, undefined)
  }
})
