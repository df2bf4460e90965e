/**
 * `skein purge`: deletes every key of a namespace, to start it afresh
 * (closed queues open and empty, locks free, pools without backlog or dead
 * letters). Asks first on a terminal; elsewhere needs `--yes`.
 */
import { createInterface } from 'node:readline/promises'
import type { Command, Output } from '../command.js'
import { REDIS_OPTION, withConnection } from '../redis.js'

export default {
  name: 'purge',
  summary: 'delete every key of a cluster namespace in Redis, to start it afresh',
  usage: 'skein purge --redis URL --namespace NS [--yes]',
  options: {
    redis: REDIS_OPTION,
    namespace: { type: 'string', value: 'NS', required: true, help: 'the namespace to empty (no default: say which)' },
    yes: { type: 'boolean', short: 'y', help: 'delete without asking' },
  },
  details: `Stop the namespace's workers and clients first: a program still using it writes its keys again.
Without --yes it asks on a terminal, and elsewhere only says what it would delete (exit 1).
One object: cluster.Queue(name).destroy() (every cluster object has destroy()).`,
  async run(args) {
    const { namespaceStatus, purgeNamespace } = await import('../../cluster/namespace.js')
    return withConnection(args, async (conn, url) => {
      const status = await namespaceStatus(conn)
      const where = `namespace ${conn.namespace} at ${url}`
      if (status.keys === 0) {
        args.out.write(`${where} holds no key: nothing to delete\n`)
        return 0
      }
      const workers = status.pools.flatMap((p) => p.workers.filter((w) => w.alive))
      if (workers.length > 0) args.err.write(`skein purge: ${workers.length} worker(s) of ${where} are alive and will register again: stop them first\n`)
      const what = `${status.keys} keys of ${where} (${status.pools.length} pools, ${status.queues.length} queues, ${status.locks.length + status.semaphores.length} locks and semaphores, ${status.events.length} events, ${status.dicts.length} dicts)`
      if (args.values.yes !== true && !(await confirmed(what, args))) return 1
      args.out.write(`deleted ${await purgeNamespace(conn)} keys of ${where}\n`)
      return 0
    })
  },
} satisfies Command

/** Asks on a terminal; elsewhere says what --yes would delete. */
async function confirmed(what: string, { out, err }: Output): Promise<boolean> {
  if (!process.stdin.isTTY) {
    err.write(`skein purge: would delete ${what}; run again with --yes to delete them\n`)
    return false
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  const answer = await rl.question(`delete ${what}? [y/N] `)
  rl.close()
  if (/^y(es)?$/i.test(answer.trim())) return true
  out.write('nothing deleted\n')
  return false
}
