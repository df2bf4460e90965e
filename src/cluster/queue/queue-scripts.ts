/**
 * The Lua scripts of the cluster Queue: every step that must be atomic.
 *
 * Keys of a queue `ns:Queue:name` (JoinableQueue: `ns:JoinableQueue:name`):
 * - the list itself: items, oldest first, each a codec.ts value; after
 *   `close()` an empty string at the tail marks the end;
 * - `:closed`: set once closed; `:unfinished`: puts not yet marked done;
 * - `:notfull`: wake tokens for putters blocked on a full queue, and
 *   `:putters`: how many putters announced they wait for one (a getter
 *   pushes a token only while fewer wait in the list than announced);
 * - `:inflight`: a hash from each in-flight list to its owner (or `~<ms>`,
 *   the time it was abandoned); `:inflight:<owner>:<n>`: one get's list,
 *   holding the item between Redis giving it out and the caller getting it;
 * - `ns:client:<owner>`: 'alive' with a TTL while the owner lives, 'dead'
 *   once others took back its in-flight items (liveness.ts).
 *
 * The sweep reads owners' liveness keys not passed in KEYS: fine on one
 * Redis server, not on Redis Cluster (where a queue's keys would also need
 * one hash tag).
 */
import { Script } from '../redis/script.js'

/** Lua helpers shared by the scripts below. */
const HELPERS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Puts what an in-flight list holds back at the head of the queue, in order, and forgets the list.
local function reclaim(main, registry, list)
  local moved = 0
  while true do
    local v = redis.call('RPOP', list)
    if not v then break end
    redis.call('LPUSH', main, v)
    moved = moved + 1
  end
  redis.call('HDEL', registry, list)
  return moved
end
-- Takes back the in-flight items of dead owners, and of lists abandoned longer than the grace period ago.
local function sweep(main, registry, client_prefix, grace)
  local entries = redis.call('HGETALL', registry)
  local moved, now = 0, nil
  for i = 1, #entries, 2 do
    local list, owner = entries[i], entries[i + 1]
    if string.sub(owner, 1, 1) == '~' then
      now = now or now_ms()
      if now - tonumber(string.sub(owner, 2)) > grace then moved = moved + reclaim(main, registry, list) end
    else
      local key = client_prefix .. owner
      local state = redis.call('GET', key)
      if state ~= 'alive' then
        if not state then redis.call('SET', key, 'dead', 'PX', 86400000) end
        moved = moved + reclaim(main, registry, list)
      end
    end
  end
  return moved
end
`

/**
 * KEYS main, closed, unfinished, notfull, putters; ARGV maxsize, item,
 * announce (1: the caller waits for a token if full).
 * 1 put; 0 full (and, when announcing, counted in `putters` in the same
 * step: a getter that makes room after it pushes a token); -1 closed (and a
 * wake token for the next blocked putter, so all of them hear it).
 */
export const PUT = new Script(`
if redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('LLEN', KEYS[4]) == 0 then redis.call('RPUSH', KEYS[4], '1') end
  return -1
end
local maxsize = tonumber(ARGV[1])
if maxsize > 0 and redis.call('LLEN', KEYS[1]) >= maxsize then
  if ARGV[3] == '1' then redis.call('INCR', KEYS[5]) end
  return 0
end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('INCR', KEYS[3])
return 1`)

/**
 * KEYS main, registry, list, liveness; ARGV owner, keep (1: stay registered
 * when empty, a BLMOVE into the list follows), ttl, client prefix, grace.
 * Replies {'item', bytes} | {'empty'} | {'eof'} | {'dead'} (the owner was
 * declared dead: take a new owner id).
 */
export const TAKE = new Script(`${HELPERS}
if redis.call('GET', KEYS[4]) == 'dead' then return {'dead'} end
redis.call('SET', KEYS[4], 'alive', 'PX', ARGV[3])
redis.call('HSET', KEYS[2], KEYS[3], ARGV[1])
local swept = false
while true do
  local v = redis.call('LMOVE', KEYS[1], KEYS[3], 'LEFT', 'RIGHT')
  if not v and not swept then
    swept = true
    if sweep(KEYS[1], KEYS[2], ARGV[4], tonumber(ARGV[5])) > 0 then
      v = redis.call('LMOVE', KEYS[1], KEYS[3], 'LEFT', 'RIGHT')
    end
  end
  if not v then
    if ARGV[2] ~= '1' then reclaim(KEYS[1], KEYS[2], KEYS[3]) end
    return {'empty'}
  end
  if v ~= '' then return {'item', v} end
  -- The end marker of a closed queue: back to the tail, where every getter finds it once the items are gone.
  redis.call('LREM', KEYS[3], -1, '')
  redis.call('LREM', KEYS[1], 0, '')
  redis.call('RPUSH', KEYS[1], '')
  reclaim(KEYS[1], KEYS[2], KEYS[3])
  if redis.call('LLEN', KEYS[1]) == 1 then return {'eof'} end
  redis.call('HSET', KEYS[2], KEYS[3], ARGV[1])
end`)

/**
 * KEYS main, registry, list, liveness, notfull, next list; ARGV item,
 * maxsize, owner.
 * Removes the item from the get's in-flight list (the moment it is handed
 * over), puts anything else there back, wakes one announced putter (a token,
 * while fewer wait in `notfull` than putters announced), and
 * registers the in-flight list of this handle's next get (so that get can
 * go straight to BLMOVE: one round trip fewer).
 * 'ok' | 'lost' (the owner was declared dead and the item went back) | 'retry' | 'eof'.
 */
export const FINISH = new Script(`${HELPERS}
local removed = redis.call('LREM', KEYS[3], 1, ARGV[1])
reclaim(KEYS[1], KEYS[2], KEYS[3])
if removed == 0 then
  if redis.call('GET', KEYS[4]) == 'dead' then return 'lost' end
  -- Not dead: a finish sent again after a reconnect; the first one removed it.
  if ARGV[1] == '' then return 'retry' end
end
if ARGV[1] == '' then
  redis.call('LREM', KEYS[1], 0, '')
  redis.call('RPUSH', KEYS[1], '')
  if redis.call('LLEN', KEYS[1]) > 1 then return 'retry' end
  return 'eof'
end
local maxsize = tonumber(ARGV[2])
if maxsize > 0 and redis.call('LLEN', KEYS[5]) < tonumber(redis.call('GET', KEYS[5] .. ':putters') or '0') then redis.call('RPUSH', KEYS[5], '1') end
if KEYS[6] ~= KEYS[3] then redis.call('HSET', KEYS[2], KEYS[6], ARGV[3]) end
return 'ok'`)

/**
 * KEYS main, registry, list; ARGV abandoned (1: the list's BLMOVE may still
 * land late, so it stays registered as abandoned and the sweep empties it
 * after the grace period). Puts what the list holds back at the head.
 */
export const RELEASE = new Script(`${HELPERS}
local moved = reclaim(KEYS[1], KEYS[2], KEYS[3])
if ARGV[1] == '1' then redis.call('HSET', KEYS[2], KEYS[3], '~' .. now_ms()) end
return moved`)

/** KEYS main, registry; ARGV client prefix, grace. Items moved back. */
export const SWEEP = new Script(`${HELPERS}
return sweep(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))`)

/**
 * KEYS main, notfull, putters; ARGV maxsize, woken (1: its BLPOP answered
 * with a token). A putter stops waiting: it leaves the count, and if it may
 * have taken a token it did not use (it gave up, or its BLPOP was
 * abandoned) while the queue has room, it passes one on to the next.
 */
export const LEAVE = new Script(`
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
if ARGV[2] ~= '1' then
  local maxsize = tonumber(ARGV[1])
  if redis.call('LLEN', KEYS[1]) < maxsize and redis.call('LLEN', KEYS[2]) < tonumber(redis.call('GET', KEYS[3]) or '0') then
    redis.call('RPUSH', KEYS[2], '1')
  end
end
return 1`)

/** KEYS closed, main, notfull. Closes for everyone: the end marker, and a wake for blocked putters. */
export const CLOSE = new Script(`
if redis.call('SET', KEYS[1], '1', 'NX') then
  redis.call('RPUSH', KEYS[2], '')
  redis.call('RPUSH', KEYS[3], '1')
end
return 1`)

/** KEYS main. The number of items (not counting the end marker). */
export const QSIZE = new Script(`
local n = redis.call('LLEN', KEYS[1])
if n > 0 and redis.call('LINDEX', KEYS[1], -1) == '' then n = n - 1 end
return n`)

/** KEYS unfinished, joined channel. The count left, or -1 when nothing was unfinished. */
export const TASK_DONE = new Script(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n <= 0 then return -1 end
n = redis.call('DECR', KEYS[1])
if n == 0 then redis.call('PUBLISH', KEYS[2], '0') end
return n`)
