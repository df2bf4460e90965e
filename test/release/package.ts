// Helpers for the release tests: the packed tarball, the Node distributions
// of every supported line, and a PATH on which no compiler can be found.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from '../helpers/temp-dir.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The skein tarball: $SKEIN_TARBALL (CI packs once), else packed here (prepack builds missing prebuilds). */
export function tarball(): string {
  const given = process.env.SKEIN_TARBALL
  if (given !== undefined && given !== '') return given
  const dir = tempDir('skein-pack-')
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env: cleanEnv(process.env.PATH!) }).trim().split('\n').pop()!
  return join(dir, name)
}

/** The folder holding bin/node of Node `major` for `arch` (fetched from the npm registry on first use). */
export function nodeDist(major: number, arch: 'x64' | 'arm64' = 'x64'): string {
  return execFileSync(process.execPath, [join(ROOT, 'scripts', 'node-dist.mjs'), String(major), arch], { encoding: 'utf8' }).trim()
}

/** Tools a build from source needs; none of them may be reachable on the no-compiler PATH. */
export const COMPILERS = ['g++', 'gcc', 'cc', 'c++', 'make', 'python3', 'python']
const HIDDEN = /^(cc|c\+\+|gcc|g\+\+|cpp|make|gmake|python[0-9.]*|clang.*|.*-linux-gnu-(gcc|g\+\+|cpp|c\+\+|cc)(-\d+)?|(gcc|g\+\+|cpp|c\+\+)-\d+)$/

/** A PATH with Node `nodeBin` first and every program of this PATH but compilers, make and python. */
export function noCompilerPath(nodeBin: string): string {
  const bin = join(tempDir('skein-nocc-'), 'bin')
  mkdirSync(bin)
  for (const dir of process.env.PATH!.split(':')) {
    if (dir === '' || !existsSync(dir)) continue
    for (const name of readdirSync(dir)) {
      if (HIDDEN.test(name) || name === 'node' || existsSync(join(bin, name))) continue
      symlinkSync(join(dir, name), join(bin, name))
    }
  }
  return `${nodeBin}:${bin}`
}

/** This environment without npm's per-run variables (they would steer the npm run inside), with `path` as PATH. */
export function cleanEnv(path: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|PREBUILDS_ONLY$|NODE_OPTIONS$|PYTHON$|CC$|CXX$|SKEIN_PREBUILD$)/i.test(key)) continue
    env[key] = value
  }
  return { ...env, PATH: path, ...extra }
}

/** Runs `command` in `cwd` under `env`; the result with stdout and stderr as text. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs })
}

/** The README's quick start: the first ```ts block after "## Quick start". */
export function quickStart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Quick start'))
  const match = /```ts\n([\s\S]*?)```/.exec(section)
  if (match === null) throw new Error('README.md has no ```ts block under "## Quick start"')
  return match[1]!
}

/** An empty ESM project folder (the quick start uses top-level await). */
export function emptyProject(prefix: string): string {
  const dir = tempDir(prefix)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'quick-start', private: true, type: 'module' }))
  return dir
}

/** The version of a package installed in this repository (so the test installs the same from the npm cache). */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
}
