/**
 * The Node flags a skein worker thread starts with. A Worker takes the
 * parent's per-isolate flags but refuses process-wide ones (V8 flags such
 * as `--max-old-space-size` or `--expose-gc`, `--title`, `--v8-pool-size`…)
 * with ERR_WORKER_INVALID_EXEC_ARGV, and `new Thread()` then failed in any
 * program run with them. So:
 * - heap limits become the worker's `resourceLimits`
 *   (`--max-old-space-size=N` → `maxOldGenerationSizeMb: N`);
 * - the parent's flags are passed on as they are, and whatever the Worker
 *   refuses is dropped and the Worker made again — Node's own check decides,
 *   once per thread (the accepted list is kept), so a flag a Worker accepts
 *   is never dropped. Dropping a V8 flag loses nothing: V8 flags are
 *   process-wide, so the worker's isolate has them already (`gc` exists in
 *   a worker of a program run with `--expose-gc`).
 */
import { Worker, type ResourceLimits, type WorkerOptions } from 'node:worker_threads'

/** Flags a worker never gets: `--input-type` would make the CommonJS trampoline ESM. */
const NEVER = /^--input-type/

/** The parent's flags for a worker, known to be accepted once a Worker took them. */
let accepted: string[] | undefined

/** `--max-old-space-size=N` (or `--max_old_space_size N`) as resource limits. */
export function heapLimits(argv: readonly string[]): ResourceLimits | undefined {
  for (let i = argv.length - 1; i >= 0; i--) {
    const m = /^--max[-_]old[-_]space[-_]size(?:=(.*))?$/.exec(argv[i])
    if (m === null) continue
    const mb = Number(m[1] ?? argv[i + 1])
    if (Number.isFinite(mb) && mb > 0) return { maxOldGenerationSizeMb: mb }
  }
  return undefined
}

/**
 * The flags named in an ERR_WORKER_INVALID_EXEC_ARGV error, removed from
 * `argv` (with the value that follows a flag given as two arguments), or
 * undefined if the error is another one or names nothing in `argv`.
 */
export function withoutRefused(argv: readonly string[], error: unknown): string[] | undefined {
  if ((error as { code?: unknown })?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return undefined
  const listed = /flags: (.*)$/s.exec((error as Error).message)?.[1]
  if (listed === undefined) return undefined
  const refused = new Set(listed.split(', ').map((f) => f.trim()))
  const out: string[] = []
  let dropped = false
  for (let i = 0; i < argv.length; i++) {
    if (!refused.has(argv[i])) { out.push(argv[i]); continue }
    dropped = true
    if (!argv[i].includes('=') && i + 1 < argv.length && !argv[i + 1].startsWith('-')) i++
  }
  return dropped ? out : undefined
}

/**
 * `new Worker(code, options)` with the parent's flags (`process.execArgv`),
 * minus those a Worker refuses, and its heap limit.
 *
 * @example
 * import { startWorker } from './worker-argv.js'
 * const w = startWorker('1', { eval: true }) // works under node --max-old-space-size=2048 --expose-gc
 */
export function startWorker(code: string, options: WorkerOptions): Worker {
  const heap = heapLimits(process.execArgv)
  const resourceLimits = heap === undefined ? options.resourceLimits : { ...heap, ...options.resourceLimits }
  let execArgv = accepted ?? process.execArgv.filter((a) => !NEVER.test(a))
  for (;;) {
    try {
      const worker = new Worker(code, { ...options, execArgv, resourceLimits })
      accepted = execArgv
      return worker
    } catch (error) {
      const fewer = withoutRefused(execArgv, error)
      if (fewer === undefined) throw error
      execArgv = fewer
    }
  }
}
