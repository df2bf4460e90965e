/**
 * `skein purge`: deletes every key of a namespace, to start it afresh
 * (closed queues open and empty, locks free, pools without backlog or dead
 * letters). Asks first on a terminal; elsewhere needs `--yes`.
 */
import { createInterface } from 'node:readline/promises'
import { stringOf, type Command } from '../command.js'

export default {
  name: 'purge',
  summary: 'delete every key of a cluster namespace in Redis, to start it afresh',
  usage: 'skein purge --redis URL --namespace NS [--yes]',
  options: {
    redis: { type: 'string', value: 'URL', required: true, help: 'the Redis server, e.g. redis://:password@10.0.0.5:6379' },
    namespace: { type: 'string', value: 'NS', required: true, help: 'the namespace to empty (no default: say which)' },
    yes: { type: 'boolean', short: 'y', help: 'delete without asking' },
  },
  details: `Stop the namespace's workers and clients first: a program still using it writes its keys again.
Without --yes it asks on a terminal, and elsewhere only says what it would delete (exit 1).
One object: cluster.Queue(name).destroy() (every cluster object has destroy()).`,
  async run(args) {
    const { openConnection } = await import('../../cluster/redis/connection.js')
    const { redactUrl } = await import('../../cluster/redis/redis-client.js')
    const { namespaceStatus, purgeNamespace } = await import('../../cluster/namespace.js')
    const url = stringOf(args, 'redis')!
    const conn = await openConnection({ url, namespace: stringOf(args, 'namespace') })
    try {
      const status = await namespaceStatus(conn)
      const where = `namespace ${conn.namespace} at ${redactUrl(url)}`
      if (status.keys === 0) {
        process.stdout.write(`${where} holds no key: nothing to delete\n`)
        return 0
      }
      const workers = status.pools.flatMap((p) => p.workers.filter((w) => w.alive))
      if (workers.length > 0) process.stderr.write(`skein purge: ${workers.length} worker(s) of ${where} are alive and will register again: stop them first\n`)
      const what = `${status.keys} keys of ${where} (${status.pools.length} pools, ${status.queues.length} queues, ${status.locks.length + status.semaphores.length} locks and semaphores, ${status.events.length} events, ${status.dicts.length} dicts)`
      if (args.values.yes !== true) {
        if (!process.stdin.isTTY) {
          process.stderr.write(`skein purge: would delete ${what}; run again with --yes to delete them\n`)
          return 1
        }
        const rl = createInterface({ input: process.stdin, output: process.stdout })
        const answer = await rl.question(`delete ${what}? [y/N] `)
        rl.close()
        if (!/^y(es)?$/i.test(answer.trim())) {
          process.stdout.write('nothing deleted\n')
          return 1
        }
      }
      process.stdout.write(`deleted ${await purgeNamespace(conn)} keys of ${where}\n`)
      return 0
    } finally {
      await conn.close()
    }
  },
} satisfies Command
