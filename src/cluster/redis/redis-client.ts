/**
 * One connection to Redis, the way every cluster object wants it: connected
 * within a deadline (a clear error naming the URL otherwise, never a hang),
 * reconnecting for ever after a loss while commands in flight wait (they
 * fail only by their own timeouts), sockets unref'd with a keep-alive held
 * per command in flight (keep-alive.ts).
 */
import { Redis, type RedisOptions } from 'ioredis'
import { SkeinError } from '../../errors.js'
import { keepAliveWhile } from './keep-alive.js'

/**
 * Redis could not be reached within `connectTimeout`.
 *
 * @example
 * import { connect, RedisUnreachableError } from 'skein/cluster'
 * try { await connect({ url: 'redis://127.0.0.1:1', connectTimeout: 500 }) } catch (e) { console.log(e instanceof RedisUnreachableError) }
 */
export class RedisUnreachableError extends SkeinError {
  /** The URL, its password replaced by `***`. */
  readonly url: string
  constructor(url: string, ms: number, reason: string) {
    const shown = redactUrl(url)
    super(/WRONGPASS|NOAUTH|NOPERM|invalid password/i.test(reason)
      ? `Redis at ${shown} refused this client (${reason}): put the right user and password in the url (redis://user:password@host:port), and give the user the commands skein needs — see docs/cluster.md, "Security"`
      : `cannot reach Redis at ${shown} within ${ms} ms (${reason}): start redis-server there, or pass the right url to connect({ url }) — see the README's "Cluster" section`, 'ERR_SKEIN_REDIS_UNREACHABLE')
    this.url = shown
  }
}

/**
 * `url` with its password (if any) replaced by `***`, for messages and logs.
 *
 * @example redactUrl('redis://app:secret@10.0.0.5:6379') // 'redis://app:***@10.0.0.5:6379'
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password === '') return url
    parsed.password = '***'
    return parsed.href
  } catch {
    return url.replace(/\/\/([^/@]*):[^/@]*@/, '//$1:***@')
  }
}

const baseOptions: RedisOptions = {
  lazyConnect: true,
  // A lost connection is retried for ever; commands wait in the offline queue.
  maxRetriesPerRequest: null,
  retryStrategy: (times) => Math.min(50 * times, 1000),
  enableReadyCheck: true,
}

/** Opens a connection to `url`, or rejects with {@link RedisUnreachableError} after `connectTimeout` ms. */
export async function openRedis(url: string, connectTimeout: number, label: string): Promise<Redis> {
  const client = new Redis(url, { ...baseOptions, connectTimeout, connectionName: label })
  let lastError = 'no answer'
  client.on('error', (error: Error) => { lastError = error.message })
  client.on('connect', () => client.stream?.unref?.())
  holdWhileInFlight(client)
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnreachableError(url, connectTimeout, lastError)), connectTimeout)
  })
  try {
    // ioredis' connect() rejects on the first failed attempt while it goes on retrying; wait for 'ready' instead.
    const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()))
    client.connect().catch(() => {})
    await Promise.race([ready, deadline])
    return client
  } catch (error) {
    client.disconnect()
    throw error
  } finally {
    clearTimeout(timer)
  }
}

function holdWhileInFlight(client: Redis): void {
  const send = client.sendCommand.bind(client)
  client.sendCommand = (command, stream) => {
    const result = send(command, stream)
    keepAliveWhile(command.promise).catch(() => {})
    return result
  }
}

interface PendingQueues {
  prevCommandQueue?: { shift(): { command: { reject(error: Error): void } } | undefined } | null
  flushQueue(error: Error): void
}

/**
 * Closes `client` for good and rejects every command still pending on it.
 * (ioredis' `disconnect()` while it waits to reconnect only stops the
 * retries: commands sent before the loss, kept to be sent again, would
 * stay pending for ever — and hold the process alive through keep-alive.ts.)
 *
 * @example dropConnection(redis)
 */
export function dropConnection(client: Redis): void {
  client.disconnect()
  const error = new Error('Connection is closed.')
  const queues = client as unknown as PendingQueues
  const kept = queues.prevCommandQueue
  queues.prevCommandQueue = null
  for (let item = kept?.shift(); item !== undefined; item = kept?.shift()) item.command.reject(error)
  queues.flushQueue(error)
}
