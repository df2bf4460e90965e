/**
 * The cluster pool's keys and atomic steps (Lua, run by SHA: script.ts).
 *
 * Keys of pool `name` in namespace `ns` (prefix `ns:Pool:name:`):
 * - `tasks`: the list of task messages (wire.ts) waiting for a worker;
 * - `workers`: a hash, worker id → its concurrency (clients size map chunks from it);
 * - `alive:<id>`: a worker's heartbeat, a key with a TTL it keeps renewing;
 * - `inflight:<id>`: the task messages a worker took and has not finished;
 * - `reply:<client>`: a client's outcomes (expires a day after the last push).
 */
import { Script } from '../redis/script.js'

/** How long a worker's heartbeat lives unless renewed (ms). */
export const HEARTBEAT_TTL_MS = 3000
/** How often workers renew it, and workers and waiting clients look for dead workers (ms). */
export const HEARTBEAT_EVERY_MS = 1000
/** Reply lists of clients that went away are dropped after a day. */
export const REPLY_TTL_MS = 24 * 3600 * 1000

/** The key names of one pool. */
export class PoolKeys {
  readonly tasks: string
  readonly workers: string
  constructor(readonly prefix: string) {
    this.tasks = `${prefix}tasks`
    this.workers = `${prefix}workers`
  }

  alive(worker: string): string { return `${this.prefix}alive:${worker}` }
  inflight(worker: string): string { return `${this.prefix}inflight:${worker}` }
  reply(client: string): string { return `${this.prefix}reply:${client}` }
}

/**
 * Moves task messages from `tasks` to a worker's in-flight list until
 * `budget` tasks (the headers' counts) were taken or none is left.
 * KEYS: tasks, inflight. ARGV: budget. Returns the messages.
 */
export const takeScript = new Script(`
local out = {}
local budget = tonumber(ARGV[1])
while budget > 0 do
  local msg = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not msg then break end
  out[#out + 1] = msg
  budget = budget - tonumber(string.match(msg, '^%d+ %d+ (%d+) '))
end
return out`)

/**
 * Every registered worker whose heartbeat expired: its in-flight messages go
 * back to the head of `tasks` with attempt + 1 (in their order), or, at
 * maxAttempts, to their client's reply list as crash records; the worker is
 * forgotten. Run by any worker or waiting client: atomic, so two reapers
 * never re-queue a message twice.
 * KEYS: workers, tasks. ARGV: key prefix, reply TTL (ms). Returns {requeued, crashed}.
 */
export const reapScript = new Script(`
local requeued, crashed = 0, 0
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. id) == 0 then
    local inflight = ARGV[1] .. 'inflight:' .. id
    local msgs = redis.call('LRANGE', inflight, 0, -1)
    for i = #msgs, 1, -1 do
      local msg = msgs[i]
      local attempt, max, rest = string.match(msg, '^(%d+) (%d+) (.*)$')
      attempt = tonumber(attempt)
      if attempt >= tonumber(max) then
        local reply = string.match(rest, '^%d+ ([^\\n]*)\\n')
        redis.call('RPUSH', reply, 'C' .. id .. '\\n' .. msg)
        redis.call('PEXPIRE', reply, ARGV[2])
        crashed = crashed + 1
      else
        redis.call('LPUSH', KEYS[2], (attempt + 1) .. ' ' .. max .. ' ' .. rest)
        requeued = requeued + 1
      end
    end
    redis.call('DEL', inflight)
    redis.call('HDEL', KEYS[1], id)
  end
end
return {requeued, crashed}`)

/**
 * A worker's heartbeat: renews its key and (re-)registers it — a worker
 * that was paused past its TTL was reaped, and carries on under the same id.
 * KEYS: alive, workers. ARGV: id, concurrency, TTL (ms).
 */
export const beatScript = new Script(`
redis.call('SET', KEYS[1], '1', 'PX', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`)

/**
 * A stopping worker gives back what it took but did not start (in order, to
 * the head of `tasks`) and unregisters.
 * KEYS: inflight, tasks, alive, workers. ARGV: id.
 */
export const leaveScript = new Script(`
local n = 0
while redis.call('RPOPLPUSH', KEYS[1], KEYS[2]) do n = n + 1 end
redis.call('DEL', KEYS[3])
redis.call('HDEL', KEYS[4], ARGV[1])
return n`)

/**
 * A client's read of its reply list, safe to run twice: drops the `n`
 * outcomes it read last time — only if the `n`th is still the one it saw
 * (a script sent again after a lost reply finds the list already trimmed
 * and trims nothing) — then returns up to `count` more. Outcomes read twice
 * are ignored by the client; none is lost to a dropped connection.
 * KEYS: reply. ARGV: n, the last one read (or ''), count.
 */
export const readRepliesScript = new Script(`
local n = tonumber(ARGV[1])
if n > 0 and redis.call('LINDEX', KEYS[1], n - 1) == ARGV[2] then redis.call('LTRIM', KEYS[1], n, -1) end
local count = tonumber(ARGV[3])
if count == 0 then return {} end
return redis.call('LRANGE', KEYS[1], 0, count - 1)`)
