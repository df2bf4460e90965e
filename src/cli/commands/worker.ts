/**
 * `skein worker`: runs a cluster pool's tasks on this machine until SIGINT
 * or SIGTERM, then finishes the tasks in hand and exits 0 (a second signal
 * exits at once; unfinished tasks then run again on another worker).
 */
import { stringOf, UsageError, type Command } from '../command.js'

export default {
  name: 'worker',
  summary: "run a cluster pool's tasks on this machine",
  usage: 'skein worker --redis URL --pool NAME [--namespace NS] [--concurrency N] [--root DIR]',
  options: {
    redis: { type: 'string', value: 'URL', required: true, help: 'the Redis server, e.g. redis://:password@10.0.0.5:6379 (rediss:// for TLS)' },
    pool: { type: 'string', value: 'NAME', required: true, help: 'the name the clients give cluster.Pool({ name })' },
    namespace: { type: 'string', value: 'NS', help: 'as in connect({ namespace }); default skein' },
    concurrency: { type: 'string', value: 'N', help: 'local processes running tasks; default one per CPU' },
    root: { type: 'string', value: 'DIR', help: 'serve only task modules under DIR; default the working directory' },
  },
  details: `Tasks travel as a module and an export name: deploy the same code at the same path on every
machine that runs workers, and start the worker in (or point --root at) the folder that holds it.
A task naming a module elsewhere, or a node:, data: or http: module, is refused and never imported;
a message that can't be read goes to the pool's dead-letter list (skein status shows them); one line
each on stderr. TypeScript task modules load through tsx when it is installed next to them (or when
Node strips types itself); otherwise the task fails saying so.
SIGINT/SIGTERM: take no more tasks, finish those in hand, exit 0; a second signal exits at once.`,
  async run(args) {
    const url = stringOf(args, 'redis')!
    const pool = stringOf(args, 'pool')!
    const given = stringOf(args, 'concurrency')
    const concurrency = given === undefined ? undefined : Number(given)
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new UsageError(`--concurrency must be a positive integer (got ${given})`)
    const namespace = stringOf(args, 'namespace')
    const stop = new AbortController()
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stop.signal.aborted) process.exit(130)
      process.stderr.write(`skein worker: ${signal}: finishing the tasks in hand (again to exit now)\n`)
      stop.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    // Loaded here, so that --help and usage errors answer at once (without the Redis client or the addon).
    const { runWorker } = await import('../../cluster/pool/worker.js')
    const { redactUrl } = await import('../../cluster/redis/redis-client.js')
    process.stderr.write(`skein worker: pool ${JSON.stringify(pool)} at ${redactUrl(url)}${namespace === undefined ? '' : ` (namespace ${namespace})`}; Ctrl-C stops\n`)
    await runWorker({ url, pool, namespace, concurrency, root: stringOf(args, 'root'), signal: stop.signal })
    process.stderr.write('skein worker: stopped\n')
    return 0
  },
} satisfies Command
