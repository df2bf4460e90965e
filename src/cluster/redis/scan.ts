/**
 * Finding keys by pattern without blocking Redis: SCAN in steps (never
 * KEYS, which holds the server for as long as it reads every key), with the
 * glob characters of names escaped so a name matches only itself.
 */
import type { Redis } from 'ioredis'

/**
 * `text` with Redis' glob characters escaped, for a MATCH pattern.
 *
 * @example globEscape('a*b') // 'a\\*b'
 */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/**
 * Every key matching `pattern` (a SCAN MATCH glob), found in steps of about
 * `count` keys. Keys written meanwhile may or may not be among them.
 *
 * @example const keys = await scanKeys(redis, `${globEscape('app')}:*`)
 */
export async function scanKeys(redis: Redis, pattern: string, count = 1000): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count)
    cursor = next
    keys.push(...found)
  } while (cursor !== '0')
  return [...new Set(keys)] // SCAN may return a key twice
}
