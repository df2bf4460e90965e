/**
 * Saying which part of an argument can't be cloned into a child, the way
 * the user wrote it: `the 2nd argument (args[1]).config.onDone is a
 * function onDone`, not V8's "()=>1 could not be cloned" about a 0-based
 * index. Only run once a clone check failed, so it may re-check freely.
 */

/** Where in the value the clone fails, and what is there. */
export interface Culprit {
  /** A path from the value's root, such as `.config.onDone` or `[2]` (empty: the value itself). */
  path: string
  /** What the part is: `a function onDone`, `a WeakMap`, `a Symbol(s)`. */
  what: string
}

/** The deepest part of `value` that still fails `check` (which `value` itself fails). */
export function findUncloneable(value: unknown, check: (v: unknown) => void): Culprit {
  const seen = new Set<object>()
  let path = ''
  let at = value
  for (;;) {
    if (typeof at !== 'object' || at === null || seen.has(at)) break
    seen.add(at)
    const next = children(at).find(([, child]) => fails(child, check))
    if (next === undefined) break
    path += next[0]
    at = next[1]
  }
  return { path, what: describeValue(at) }
}

/** "1st", "2nd", "3rd", "4th"… */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'
  return `${n}${suffix}`
}

function children(value: object): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.map((v, i) => [`[${i}]`, v])
  if (value instanceof Map) return [...value].flatMap(([k, v], i) => [[` (a Map key, entry ${i + 1})`, k], [`.get(${label(k)})`, v]] as Array<[string, unknown]>)
  if (value instanceof Set) return [...value].map((v, i) => [` (a Set member, the ${ordinal(i + 1)})`, v])
  return Object.keys(value).map((k) => [/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`, (value as Record<string, unknown>)[k]])
}

function fails(value: unknown, check: (v: unknown) => void): boolean {
  try {
    check(value)
    return false
  } catch {
    return true
  }
}

function label(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'object' && key !== null ? describeValue(key) : String(key)
}

/** A value as a message names it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return value.name ? `a function ${value.name}` : 'an anonymous function'
  if (typeof value === 'symbol') return `a ${String(value)}`
  if (typeof value !== 'object' || value === null) return `${typeof value} ${String(value)}`
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name
  if (name === undefined || name === '') return 'an object of an anonymous class'
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`
}
