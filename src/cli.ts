#!/usr/bin/env node
/**
 * The `skein` command.
 *
 *   npx skein worker --redis redis://10.0.0.5:6379 --pool work [--namespace app] [--concurrency 8]
 *
 * `worker` runs tasks of cluster pool `--pool` on this machine until SIGINT
 * or SIGTERM, then finishes the tasks in hand and exits (a second signal
 * exits at once; unfinished tasks then run again on another worker).
 */
const USAGE = `usage: skein worker --redis URL --pool NAME [--namespace NS] [--concurrency N]

  --redis URL        the Redis server, e.g. redis://10.0.0.5:6379
  --pool NAME        the name given to cluster.Pool({ name }) by the clients
  --namespace NS     as in connect({ namespace }); default skein
  --concurrency N    local processes running tasks; default: one per CPU

Runs the pool's tasks until SIGINT/SIGTERM, then finishes the tasks in hand.
Task modules are imported by file path: deploy the same code at the same path
on every machine.`

function fail(message: string): never {
  process.stderr.write(`skein: ${message}\n\n${USAGE}\n`)
  process.exit(2)
}

/** `--name value` and `--name=value` pairs, checked against `known`. */
function parseFlags(args: string[], known: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (m === null) fail(`unexpected argument ${JSON.stringify(arg)}`)
    const [, name, inline] = m
    if (!known.includes(name!)) fail(`unknown option --${name}`)
    const value = inline ?? args[++i]
    if (value === undefined) fail(`--${name} needs a value`)
    flags.set(name!, value)
  }
  return flags
}

async function worker(args: string[]): Promise<void> {
  const flags = parseFlags(args, ['redis', 'pool', 'namespace', 'concurrency'])
  const url = flags.get('redis') ?? fail('--redis URL is required')
  const pool = flags.get('pool') ?? fail('--pool NAME is required')
  const given = flags.get('concurrency')
  const concurrency = given === undefined ? undefined : Number(given)
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) fail(`--concurrency must be a positive integer (got ${given})`)
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) process.exit(130)
    process.stderr.write(`skein worker: ${signal}: finishing the tasks in hand (again to exit now)\n`)
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // Loaded here, so that --help and usage errors answer at once (and without the Redis client or the addon).
  const { runWorker } = await import('./cluster/pool/worker.js')
  process.stderr.write(`skein worker: pool ${JSON.stringify(pool)} at ${url}${flags.has('namespace') ? ` (namespace ${flags.get('namespace')})` : ''}; Ctrl-C stops\n`)
  await runWorker({ url, pool, namespace: flags.get('namespace'), concurrency, signal: stop.signal })
  process.stderr.write('skein worker: stopped\n')
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (command === 'worker') return worker(rest)
  if (command === 'top') return runTop(rest)
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  fail(`unknown command ${JSON.stringify(command)}`)
}

/** `skein top`: its own file (observe/top/command.ts), loaded only when asked for. */
async function runTop(args: string[]): Promise<void> {
  const { top, TOP_USAGE, UsageError } = await import('./observe/top/command.js')
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${TOP_USAGE}\n`)
    return
  }
  try {
    await top(args)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`skein top: ${error.message}\n\n${TOP_USAGE}\n`)
    process.exit(2)
  }
}

main(process.argv.slice(2)).then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`skein: ${(error as Error)?.message ?? String(error)}\n`)
  process.exit(1)
})
