/**
 * `skein status`: what a namespace holds in Redis — pool workers (alive or
 * not), backlogs and dead letters, queues and their lengths, locks,
 * semaphores, events, dicts — as text, or as JSON with `--json`.
 */
import { stringOf, type Command } from '../command.js'
import type { NamespaceStatus } from '../../cluster/namespace.js'

export default {
  name: 'status',
  summary: 'what a cluster namespace holds in Redis: workers alive, queues, pool backlogs, dead letters',
  usage: 'skein status --redis URL [--namespace NS] [--json]',
  options: {
    redis: { type: 'string', value: 'URL', required: true, help: 'the Redis server, e.g. redis://:password@10.0.0.5:6379' },
    namespace: { type: 'string', value: 'NS', help: 'as in connect({ namespace }); default skein' },
    json: { type: 'boolean', help: 'print one JSON object instead of text' },
  },
  details: 'A snapshot, read with SCAN (Redis is never blocked); others may change it meanwhile.',
  async run(args) {
    const { openConnection } = await import('../../cluster/redis/connection.js')
    const { redactUrl } = await import('../../cluster/redis/redis-client.js')
    const { namespaceStatus } = await import('../../cluster/namespace.js')
    const url = stringOf(args, 'redis')!
    const conn = await openConnection({ url, namespace: stringOf(args, 'namespace') })
    try {
      const status = await namespaceStatus(conn)
      process.stdout.write(args.values.json === true ? `${JSON.stringify(status, null, 2)}\n` : describe(status, redactUrl(url)))
      return 0
    } finally {
      await conn.close()
    }
  },
} satisfies Command

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** The status as text, one object a line. */
function describe(s: NamespaceStatus, url: string): string {
  const lines = [`namespace ${s.namespace} at ${url}: ${plural(s.keys, 'key')}, ${plural(s.clientsAlive, 'client')} alive`]
  const section = (title: string, rows: string[]): void => {
    if (rows.length > 0) lines.push('', title, ...rows.map((r) => `  ${r}`))
  }
  section('pools', s.pools.flatMap((p) => {
    const alive = p.workers.filter((w) => w.alive)
    return [
      `${p.name}: ${plural(alive.length, 'worker')} alive (${alive.reduce((n, w) => n + w.concurrency, 0)} processes), backlog ${plural(p.backlog.messages, 'message')} (${plural(p.backlog.tasks, 'task')}), ${plural(p.dead, 'dead letter')}${p.dead > 0 ? ` (LRANGE ${s.namespace}:Pool:${p.name}:dead 0 -1)` : ''}`,
      ...p.workers.map((w) => `  worker ${w.id}: ${w.alive ? 'alive' : 'NOT alive (its tasks go back when a reaper runs)'}, concurrency ${w.concurrency}, ${plural(w.inFlight.tasks, 'task')} in hand`),
    ]
  }))
  section('queues', s.queues.map((q) => `${q.name}${q.type === 'Queue' ? '' : ` (${q.type})`}: ${plural(q.items, 'item')}${q.closed ? ', closed' : ''}${q.unfinished > 0 ? `, ${q.unfinished} not marked done` : ''}${q.getsInFlight > 0 ? `, ${plural(q.getsInFlight, 'item')} in flight` : ''}`))
  section('locks', s.locks.map((l) => `${l.name}${l.type === 'Lock' ? '' : ` (${l.type})`}: ${l.held ? `held${l.leaseLeftMs === null ? '' : `, lease ${l.leaseLeftMs} ms left`}` : 'free'}`))
  section('semaphores', s.semaphores.map((m) => `${m.name}${m.type === 'Semaphore' ? '' : ` (${m.type})`}: ${m.held} of ${m.value ?? '?'} held`))
  section('events', s.events.map((e) => `${e.name}: ${e.set ? 'set' : 'clear'}`))
  section('dicts', s.dicts.map((d) => `${d.name}: ${plural(d.size, 'entry', 'entries')}`))
  if (s.keys === 0) lines.push('(nothing: no object of this namespace has keys in Redis)')
  return `${lines.join('\n')}\n`
}
