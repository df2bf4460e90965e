import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { scriptPath } from '../fixtures/script.js'

/** Runs fixtures/pool-size.ts under `ulimit -n <fds>`; its JSON line. */
function sized(kind: string, sizes: number[], fds: number): Promise<{ errors: Array<string | null>; after: number }> {
  const child = spawn('sh', ['-c', `ulimit -n ${fds} && exec "$0" --import tsx "$@"`, process.execPath, scriptPath('pool-size.ts'), kind, ...sizes.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { err += d })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((resolve, reject) => child.on('close', (code) => {
    clearTimeout(timer)
    if (code !== 0) reject(new Error(`exit ${code}: ${err}`))
    else resolve(JSON.parse(out.trim().split('\n').at(-1)!))
  }))
}

for (const kind of ['Pool', 'ThreadPool']) {
  const size = kind === 'Pool' ? 'processes' : 'threads'
  test(`${kind}: a size beyond what the process can hold is refused up front with a clear RangeError, and the process stays usable`, async () => {
    const { errors: [huge, tooMany], after } = await sized(kind, [1_000_000, 500], 400)
    assert.match(huge ?? '', new RegExp(`^RangeError: ${kind}: ${size} is 1000000, more than a pool may have \\(at most 1024\\): use fewer workers`))
    assert.match(tooMany ?? '', new RegExp(`^RangeError: ${kind}: ${size} is 500, but this process may open only \\d+ more files \\(ulimit -n is 400\\) and each worker needs about \\d+: use at most \\d+ workers, or raise the limit`))
    assert.equal(after, 49, 'the process is still usable')
  })
}
