/**
 * The house rules of issue 18, checked on every run: src/ has no import
 * circle (type imports included), no file imports from a layer above its
 * own, and no source file (TypeScript or the addon's C++) outgrows
 * MAX_LINES. The layers are docs/architecture.md's diagram, bottom first.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const SRC = resolve('src')
const MAX_LINES = 400

/** Bottom first; a file belongs to the longest prefix that names it. Files of one layer may import each other. */
const LAYERS: string[][] = [
  ['observe/schema.ts'], // the snapshot's types (errors.ts's DeadlockError carries one); imports nothing
  ['errors.ts', 'not-yet.ts'],
  ['native.ts'],
  ['runtime/'],
  ['shm/'],
  ['observe/'], // the registry (every primitive publishes into it), and its reader the deadlock check uses
  ['sync/'],
  ['shared/'],
  ['queue/'],
  ['process/'],
  ['thread/'],
  ['manager/'],
  ['task/'],
  ['pool/'],
  ['cluster/'],
  ['observe/snapshot/', 'observe/top/', 'observe/index.ts'], // snapshot() and skein top read every kind's structs (a queue's ring)
  ['cli/', 'cli.ts'],
  ['index.ts'],
]

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [])
}

function layerOf(file: string): number {
  const path = relative(SRC, file)
  let best = -1
  let bestLength = -1
  LAYERS.forEach((prefixes, i) => {
    for (const p of prefixes) {
      if ((p.endsWith('/') ? path.startsWith(p) : path === p) && p.length > bestLength) {
        best = i
        bestLength = p.length
      }
    }
  })
  return best
}

/** Every relative import of each file in src/ (static, type-only, re-exports and dynamic import()). */
function importGraph(): Map<string, Array<{ target: string; typeOnly: boolean }>> {
  const all = files(SRC, '.ts')
  const known = new Set(all)
  const pattern = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g
  const graph = new Map<string, Array<{ target: string; typeOnly: boolean }>>()
  for (const file of all) {
    const edges: Array<{ target: string; typeOnly: boolean }> = []
    // Comments hold examples (`import … from './x.js'` in a doc comment) that are not imports.
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
    for (const m of code.matchAll(pattern)) {
      const spec = (m[2] ?? m[3] ?? m[4])!
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
      assert.ok(known.has(target), `${relative(SRC, file)} imports ${spec}, which is not a file in src/`)
      edges.push({ target, typeOnly: m[1] !== undefined })
    }
    graph.set(file, edges)
  }
  return graph
}

test('every file in src/ belongs to a layer', () => {
  const orphans = files(SRC, '.ts').filter((f) => layerOf(f) < 0).map((f) => relative(SRC, f))
  assert.deepEqual(orphans, [], 'add the folder to LAYERS here and to docs/architecture.md')
})

test('no import reaches up to a higher layer (type imports included)', () => {
  const upward: string[] = []
  for (const [file, edges] of importGraph()) {
    for (const { target, typeOnly } of edges) {
      if (layerOf(target) > layerOf(file)) upward.push(`${relative(SRC, file)} -> ${relative(SRC, target)}${typeOnly ? ' (type)' : ''}`)
    }
  }
  assert.deepEqual(upward, [])
})

/** The import circles of `graph` (Tarjan's strongly connected components of more than one file, or a file importing itself). */
function circlesOf(graph: Map<string, Array<{ target: string }>>): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const circles: string[][] = []
  const visit = (v: string): void => {
    index.set(v, counter)
    low.set(v, counter++)
    stack.push(v)
    onStack.add(v)
    for (const { target: w } of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(relative(SRC, w))
      } while (w !== v)
      if (component.length > 1 || (graph.get(v) ?? []).some((e) => e.target === v)) circles.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return circles
}

test('no import circle in src/ (type imports included)', () => {
  assert.deepEqual(circlesOf(importGraph()), [])
})

test(`no source file over ${MAX_LINES} lines (src/ and native/)`, () => {
  const long = [...files(SRC, '.ts'), ...files(resolve('native'), '.cc'), ...files(resolve('native'), '.h')]
    .map((f) => ({ f: relative('.', f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES)
    .map(({ f, lines }) => `${f}: ${lines}`)
  assert.deepEqual(long, [], 'split the file along its seams')
})

test('the checks see what they must: imports are read, a circle is found, layers are ordered', () => {
  const graph = importGraph()
  assert.ok(graph.get(resolve(SRC, 'sync/wait.ts'))!.length > 0, 'imports are read')
  assert.ok(graph.get(resolve(SRC, 'sync/barrier.ts'))!.some((e) => e.target.endsWith('runtime/locate.ts')), 'a dynamic import() is read')
  const [a, b, c] = ['a.ts', 'b.ts', 'c.ts'].map((f) => resolve(SRC, f)) as [string, string, string]
  const toy = new Map([[a, [{ target: b }]], [b, [{ target: c }]], [c, [{ target: a }]]])
  assert.deepEqual(circlesOf(toy), [['a.ts', 'b.ts', 'c.ts']])
  toy.set(c, [])
  assert.deepEqual(circlesOf(toy), [])
  assert.ok(layerOf(resolve(SRC, 'cluster/cluster.ts')) > layerOf(resolve(SRC, 'shm/handle.ts')))
  assert.equal(layerOf(resolve(SRC, 'observe/snapshot/snapshot.ts')), LAYERS.findIndex((l) => l.includes('observe/snapshot/')))
  assert.equal(layerOf(resolve(SRC, 'observe/reader/wait-graph.ts')), LAYERS.findIndex((l) => l.includes('observe/')))
})
