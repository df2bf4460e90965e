/**
 * The `skein` dispatcher (src/cli/main.ts): help, version and usage errors
 * with their exit codes — run in this process (main() returns the code the
 * executable exits with), plus the executable itself on plain node once.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main } from '../../src/cli/main.js'
import { skeinHere } from '../helpers/skein-cli.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
const skein = (args: string[]) => skeinHere(main, args)

describe('skein: help, version, usage errors', () => {
  test('the executable: bare skein prints the usage on stderr and exits 2; --version prints the version', () => {
    const bare = spawnSync(process.execPath, [join(root, 'dist/cli.js')], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(bare.status, 2)
    assert.match(bare.stderr, /^usage: skein <command> \[options\]/)
    const v = spawnSync(process.execPath, [join(root, 'dist/cli.js'), '--version'], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(v.status, 0)
    assert.equal(v.stdout.trim(), version)
  })

  test('bare skein prints the usage (every command) on stderr and exits 2; --help prints it and exits 0', async () => {
    const bare = await skein([])
    assert.equal(bare.status, 2)
    assert.match(bare.stderr, /^usage: skein <command> \[options\]/)
    for (const name of ['demo', 'purge', 'status', 'worker']) assert.match(bare.stderr, new RegExp(`\\n  ${name} +\\S`))
    const help = await skein(['--help'])
    assert.equal(help.status, 0)
    assert.equal(help.stdout, bare.stderr)
    assert.equal((await skein(['--version'])).stdout.trim(), version)
  })

  test('skein help <command> and skein <command> --help print its options; an unknown one exits 2', async () => {
    const help = await skein(['help', 'worker'])
    assert.equal(help.status, 0)
    assert.match(help.stdout, /^usage: skein worker --redis URL --pool NAME/)
    for (const option of ['--redis URL', '--pool NAME', '--namespace NS', '--concurrency N', '--root DIR', '-h, --help']) assert.ok(help.stdout.includes(option), option)
    assert.equal((await skein(['worker', '--help'])).stdout, help.stdout)
    assert.match((await skein(['help', 'status'])).stdout, /--json/)
    const unknown = await skein(['help', 'nope'])
    assert.equal(unknown.status, 2)
    assert.match(unknown.stderr, /unknown command "nope"; the commands are demo, purge, status, top, worker/)
    assert.equal((await skein(['nope'])).status, 2)
    assert.match((await skein(['--nope'])).stderr, /unknown option "--nope"/)
  })

  test("wrong invocations exit 2 naming what is wrong, with the command's usage", async () => {
    const missing = await skein(['worker', '--pool', 'p'])
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /^skein worker: --redis URL is required\n\nusage: skein worker/)
    const unknownOption = await skein(['status', '--redis', 'redis://x', '--colour'])
    assert.equal(unknownOption.status, 2)
    assert.match(unknownOption.stderr, /skein status: Unknown option '--colour'/)
    assert.equal((await skein(['worker', '--redis', 'redis://x', '--pool', 'p', '--concurrency', 'two'])).status, 2)
    assert.match((await skein(['purge', '--redis', 'redis://x'])).stderr, /--namespace NS is required/)
    assert.match((await skein(['status', 'extra', '--redis', 'redis://x'])).stderr, /Unexpected argument 'extra'|unexpected/i)
  })
})
