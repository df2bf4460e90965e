/**
 * `isEntry(import.meta.url)`: true when this module is the script being run
 * (not imported by the tour, a test, or a child re-importing it for a
 * target) — the examples' `if __name__ == '__main__':`.
 */
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { isMainProcess, isMainThread } from 'skein'

export function isEntry(moduleUrl: string): boolean {
  const script = process.argv[1]
  if (!isMainProcess() || !isMainThread() || script === undefined) return false
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl
  } catch {
    return false
  }
}
