/**
 * The cluster pool's keys and atomic steps (Lua, run by SHA: script.ts).
 *
 * Keys of pool `name` in namespace `ns` (prefix `ns:Pool:name:`):
 * - `tasks`: the list of task messages (wire.ts) waiting for a worker;
 * - `workers`: a hash, worker id → its concurrency (clients size map chunks from it);
 * - `alive:<id>`: a worker's heartbeat, a key with a TTL it keeps renewing;
 * - `inflight:<id>`: the task messages a worker took and has not finished;
 * - `reply:<client>`: a client's outcomes (expires a day after the last push);
 * - `dead`: messages no worker could read, each `reason + '\n' + message`
 *   (the last {@link DEAD_KEPT}).
 *
 * Every script that reads a message's header checks it first (CHECK): a
 * message without a well-formed header, or whose reply key is not one of
 * this pool's, goes to `dead` instead of failing the script (one bad
 * message would otherwise stop every worker in turn) or making a worker
 * write to a key the message chose.
 */
import { Script } from '../redis/script.js'

/** How long a worker's heartbeat lives unless renewed (ms). */
export const HEARTBEAT_TTL_MS = 3000
/** How often workers renew it, and workers and waiting clients look for dead workers (ms). */
export const HEARTBEAT_EVERY_MS = 1000
/** Reply lists of clients that went away are dropped after a day. */
export const REPLY_TTL_MS = 24 * 3600 * 1000

/** Dead letters kept per pool (the oldest go first). */
export const DEAD_KEPT = 10_000

/**
 * Lua: `check(msg, replyPrefix)` → count, attempt, maxAttempts, reply; or
 * nil and the reason. `dead(key, reason, msg)` keeps a dead letter.
 */
const CHECK = `
local function check(msg, prefix)
  local attempt, max, count, reply = string.match(msg, '^(%d+) (%d+) (%d+) ([^\\n ]+)\\n')
  if not attempt then return nil, 'no header line "attempt maxAttempts count replyKey"' end
  if #attempt > 9 or #max > 9 or #count > 9 then return nil, "the header's numbers are out of range" end
  attempt, max, count = tonumber(attempt), tonumber(max), tonumber(count)
  if attempt < 1 or max < 1 or count < 1 or count > 4096 then return nil, "the header's numbers are out of range" end
  if #reply <= #prefix or string.sub(reply, 1, #prefix) ~= prefix then
    return nil, 'its reply key ' .. string.sub(reply, 1, 200) .. ' is not one of this pool (' .. prefix .. '…)'
  end
  return count, attempt, max, reply
end
local function dead(key, reason, msg)
  redis.call('RPUSH', key, reason .. '\\n' .. msg)
  redis.call('LTRIM', key, -${DEAD_KEPT}, -1)
end
`

/** The key names of one pool. */
export class PoolKeys {
  readonly tasks: string
  readonly workers: string
  readonly dead: string
  /** What every reply key of this pool starts with. */
  readonly replies: string
  constructor(readonly prefix: string) {
    this.tasks = `${prefix}tasks`
    this.workers = `${prefix}workers`
    this.dead = `${prefix}dead`
    this.replies = `${prefix}reply:`
  }

  alive(worker: string): string { return `${this.prefix}alive:${worker}` }
  inflight(worker: string): string { return `${this.prefix}inflight:${worker}` }
  reply(client: string): string { return `${this.prefix}reply:${client}` }
}

/**
 * Moves task messages from `tasks` to a worker's in-flight list until
 * `budget` tasks (the headers' counts) were taken or none is left; a
 * message whose header fails CHECK goes to `dead` instead.
 * KEYS: tasks, inflight, dead. ARGV: budget, reply prefix. Returns {messages, dead reasons}.
 */
export const takeScript = new Script(`${CHECK}
local out, refused = {}, {}
local budget = tonumber(ARGV[1])
while budget > 0 do
  local msg = redis.call('LPOP', KEYS[1])
  if not msg then break end
  local count, why = check(msg, ARGV[2])
  if count then
    redis.call('RPUSH', KEYS[2], msg)
    out[#out + 1] = msg
    budget = budget - count
  else
    dead(KEYS[3], why, msg)
    refused[#refused + 1] = why
  end
end
return {out, refused}`)

/**
 * Every registered worker whose heartbeat expired: its in-flight messages go
 * back to the head of `tasks` with attempt + 1 (in their order), or, at
 * maxAttempts, to their client's reply list as crash records; the worker is
 * forgotten. Run by any worker or waiting client: atomic, so two reapers
 * never re-queue a message twice. A message failing CHECK goes to `dead`.
 * KEYS: workers, tasks, dead. ARGV: key prefix, reply TTL (ms). Returns {requeued, crashed}.
 */
export const reapScript = new Script(`${CHECK}
local requeued, crashed = 0, 0
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. id) == 0 then
    local inflight = ARGV[1] .. 'inflight:' .. id
    local msgs = redis.call('LRANGE', inflight, 0, -1)
    for i = #msgs, 1, -1 do
      local msg = msgs[i]
      local count, attempt, max, reply = check(msg, ARGV[1] .. 'reply:')
      if not count then
        dead(KEYS[3], attempt, msg)
      elseif attempt >= max then
        redis.call('RPUSH', reply, 'C' .. id .. '\\n' .. msg)
        redis.call('PEXPIRE', reply, ARGV[2])
        crashed = crashed + 1
      else
        redis.call('LPUSH', KEYS[2], (attempt + 1) .. ' ' .. max .. ' ' .. string.match(msg, '^%d+ %d+ (.*)$'))
        requeued = requeued + 1
      end
    end
    redis.call('DEL', inflight)
    redis.call('HDEL', KEYS[1], id)
  end
end
return {requeued, crashed}`)

/**
 * A message the worker took but can't read (its body): out of the
 * in-flight list, into `dead` with the reason.
 * KEYS: inflight, dead. ARGV: message, reason.
 */
export const deadLetterScript = new Script(`${CHECK}
redis.call('LREM', KEYS[1], 1, ARGV[1])
dead(KEYS[2], ARGV[2], ARGV[1])
return 1`)

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
