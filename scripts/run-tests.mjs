// `npm test`: every test/**/*.test.ts under node's test runner, with tsx.
// (Node 20's --test does not expand globs or pick up .ts files by itself.)
// Every test gets at most 3 minutes: a hang fails the run instead of stalling CI.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])
}

const only = process.argv.slice(2)
const files = (only.length > 0 ? only : find('test')).sort()
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
