// `npm test`: every test/**/*.test.ts under node's test runner, with tsx.
// (Node 20's --test does not expand globs or pick up .ts files by itself.)
// Every test gets at most 3 minutes: a hang fails the run instead of stalling CI.
//
//   node scripts/run-tests.mjs                     all of test/ but test/release/
//   node scripts/run-tests.mjs test/queue x.test.ts  the named folders and files
//   node scripts/run-tests.mjs --slice             the slice CI runs on the other Node lines
//
// test/release/ needs the prebuilds and a packed tarball, and takes long: `npm run test:release` (CI runs it).
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

/** What CI runs on each supported Node line besides the one that runs everything: the layers a Node upgrade can break. */
const SLICE = ['test/process', 'test/thread', 'test/queue', 'test/pool', 'test/sync']

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])
}

const args = process.argv.slice(2)
const named = args[0] === '--slice' ? SLICE : args
const files = (named.length > 0
  ? named.flatMap((p) => (statSync(p).isDirectory() ? find(p) : [p]))
  : find('test').filter((f) => !f.startsWith(join('test', 'release')))).sort()
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
