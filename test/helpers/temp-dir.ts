// A temporary directory for one test file, removed when the file's tests end
// (node:test's `after`), so a run leaves nothing in /tmp; one left by a run
// that was killed first goes at the next run (owned-temp-dir.ts).
import { after } from 'node:test'
import { rmSync } from 'node:fs'
import { ownedTempDir } from '../../examples/owned-temp-dir.js'

export function tempDir(prefix: string): string {
  const dir = ownedTempDir(prefix)
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
