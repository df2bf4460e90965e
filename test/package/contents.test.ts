/**
 * What `npm pack` ships is complete: every file the README and docs link to
 * or name, the targets of package.json's entry points and install script,
 * and the sources every source map and declaration map points at (so stack
 * traces under --enable-source-maps, and "go to definition", land on files
 * that exist in node_modules/skein).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The files `npm pack` would ship (scripts skipped: no prebuild, no tsc; dist/ is what the last build left). */
function shipped(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'silent' } })
  const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>
  return new Set(pack!.files.map((f) => f.path))
}

const files = shipped()
const isShipped = (path: string) => files.has(path) || [...files].some((f) => f.startsWith(path.endsWith('/') ? path : `${path}/`))
const markdown = [...files].filter((f) => f.endsWith('.md'))

test('the package ships the compiled code, its sources, the docs, the install script and the native sources', () => {
  for (const path of ['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'src/index.ts', 'docs/architecture.md', 'scripts/install.mjs', 'binding.gyp']) {
    assert.ok(files.has(path), `${path} is shipped`)
  }
  assert.ok([...files].some((f) => /^native\/.+\.cc$/.test(f)), 'native/*.cc is shipped (a build from source needs it)')
  assert.ok(![...files].some((f) => /^(test|bench|\.ci|scripts\/(?!install\.mjs))/.test(f)), 'tests, benches, CI and build scripts stay out')
})

test('package.json points only at shipped files: main, types, exports, bin and the install script', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
  const targets: string[] = [pkg.main as string, pkg.types as string, ...Object.values(pkg.bin as Record<string, string>)]
  for (const entry of Object.values(pkg.exports as Record<string, Record<string, string>>)) targets.push(...Object.values(entry))
  const install = /^node (\S+)$/.exec((pkg.scripts as Record<string, string>).install!)
  assert.ok(install !== null, 'the install script is `node <file>`')
  targets.push(install[1]!)
  for (const target of targets) assert.ok(files.has(normalize(target)), `${target} is shipped`)
})

test('every relative link in the shipped README and docs resolves to a shipped file', () => {
  assert.ok(markdown.length > 5)
  for (const md of markdown) {
    const text = readFileSync(join(ROOT, md), 'utf8')
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!) || target!.startsWith('#')) continue
      const path = normalize(join(dirname(md), target!.split('#')[0]!))
      assert.ok(isShipped(path), `${md} links to ${target}, which is not shipped`)
    }
  }
})

test('every file or folder the README names (in backticks) is shipped', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const named = [...readme.matchAll(/`([A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]*)`/g)].map((m) => m[1]!)
    .filter((p) => !p.startsWith('skein/')) // import specifiers (skein/cluster), not files
  assert.ok(named.includes('src/errors.ts'), 'the check sees the README\'s file names')
  for (const path of named) assert.ok(isShipped(path.replace(/\/$/, '')), `README.md names ${path}, which is not shipped`)
})

test('source maps and declaration maps point at shipped sources', () => {
  const maps = [...files].filter((f) => f.endsWith('.js.map') || f.endsWith('.d.ts.map'))
  assert.ok(maps.some((f) => f.endsWith('.d.ts.map')), 'declaration maps are shipped')
  assert.ok(existsSync(join(ROOT, 'dist', 'index.js.map')))
  for (const map of maps) {
    const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] }
    for (const source of sources) {
      const path = normalize(join(dirname(map), source))
      assert.ok(files.has(path), `${map} points at ${source}, which is not shipped`)
    }
  }
})
