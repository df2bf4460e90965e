/**
 * The cluster layer's house rules, read from the imports (static and
 * dynamic) of src/cluster: no import circle; redis/ (connections, key
 * naming, codec, waits) imports nothing above it; the objects never import
 * the façade (cluster.ts) or what sits on it; below src/cluster only the
 * package root names it; no file over 400 lines.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')
const CLUSTER = join(SRC, 'cluster')

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

/** The source files `file` imports (relative specifiers, `.js` read as `.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"\n]*?(?:from\s*)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
    const spec = (m[1] ?? m[2])!
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
  }
  return out
}

const rel = (f: string): string => relative(SRC, f)

test('src/cluster has no import circle', () => {
  const graph = new Map(files(CLUSTER).map((f) => [f, importsOf(f).filter((g) => g.startsWith(CLUSTER + '/'))]))
  const state = new Map<string, 'open' | 'done'>()
  const cycles: string[] = []
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].map(rel).join(' → '))
      return
    }
    state.set(f, 'open')
    for (const g of graph.get(f) ?? []) visit(g, [...path, f])
    state.set(f, 'done')
  }
  for (const f of graph.keys()) visit(f, [])
  assert.deepEqual(cycles, [])
})

test('redis/ imports nothing above it; objects never import the façade or what sits on it', () => {
  const top = ['cluster.ts', 'connect.ts', 'revive.ts', 'index.ts', 'kind.ts', 'namespace.ts', 'pool/worker.ts'].map((f) => join(CLUSTER, f))
  const wrong: string[] = []
  for (const f of files(CLUSTER)) {
    for (const g of importsOf(f)) {
      if (!g.startsWith(CLUSTER + '/')) continue
      if (f.startsWith(join(CLUSTER, 'redis') + '/') && !g.startsWith(join(CLUSTER, 'redis') + '/')) wrong.push(`${rel(f)} → ${rel(g)}`)
      if (!top.includes(f) && top.includes(g)) wrong.push(`${rel(f)} → ${rel(g)}`)
    }
  }
  assert.deepEqual(wrong, [])
})

test('below src/cluster, only the package root and the command line name it', () => {
  const wrong = files(SRC)
    .filter((f) => !f.startsWith(CLUSTER + '/') && f !== join(SRC, 'index.ts') && !rel(f).startsWith('cli'))
    .flatMap((f) => importsOf(f).filter((g) => g.startsWith(CLUSTER + '/')).map((g) => `${rel(f)} → ${rel(g)}`))
  assert.deepEqual(wrong, [])
})

test('no file of src/cluster is over 400 lines', () => {
  const long = files(CLUSTER).map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400)
  assert.deepEqual(long, [])
})
