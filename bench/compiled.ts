/**
 * skein compiled to plain JavaScript for benches that must run under plain
 * `node` (no tsx loader in the children): `src/**.ts` is transpiled file by
 * file with TypeScript's `transpileModule` into `.tmp/bench-dist-<pid>/`
 * (inside the repo, so `native.js` finds `build/Release` two levels up, as
 * the compiled-JS test does). Takes about a second; no type-checking.
 *
 * @example
 * import { compileSkein } from './compiled.ts'
 * const { dir, cleanup } = compileSkein()
 * // import(pathToFileURL(join(dir, 'index.js')).href) from a plain node script
 * cleanup()
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []))
}

/** Transpiles src/ to a fresh directory; returns it and a cleanup function. */
export function compileSkein(): { dir: string; cleanup: () => void } {
  const src = join(ROOT, 'src')
  const dir = join(ROOT, '.tmp', `bench-dist-${process.pid}`)
  for (const file of sources(src)) {
    const out = join(dir, relative(src, file)).replace(/\.ts$/, '.js')
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      fileName: file,
    })
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, outputText)
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
