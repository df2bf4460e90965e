/**
 * The Node flags a child inherits: the parent's `execArgv` (so `tsx` and
 * other loaders carry over), minus flags that only make sense once — the test
 * runner, watch mode, the inspector's port, `-e`/`-p` scripts.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const DROP = /^--(test|watch|inspect|debug|experimental-test|input-type|eval|print|check|interactive|env-file)/
const DROP_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print', '-r_', '--input-type', '--env-file', '--test-reporter', '--test-reporter-destination', '--test-name-pattern', '--test-concurrency', '--test-timeout', '--watch-path'])

/** The parent's execArgv, cleaned for a child. */
export function childExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (DROP_WITH_VALUE.has(a)) { i++; continue }
    if (DROP.test(a) || a === '-i') continue
    out.push(a)
  }
  return out
}

/**
 * Modules preloaded with `--import`/`--loader` in this process, as URLs, in
 * order. Worker threads in Node 20 do not run these, so the thread bootstrap
 * imports them itself.
 */
export function preloads(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = []
  const require = createRequire(pathToFileURL(process.cwd() + '/').href)
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    let spec: string | undefined
    if (a === '--import' || a === '--loader' || a === '--experimental-loader') spec = argv[++i]
    else if (/^--(import|loader|experimental-loader)=/.test(a)) spec = a.slice(a.indexOf('=') + 1)
    if (spec === undefined) continue
    if (/^(file|data|node):/.test(spec)) out.push(spec)
    else {
      try { out.push(pathToFileURL(require.resolve(spec)).href) } catch { out.push(spec) }
    }
  }
  return out
}
