/**
 * The 8-byte header in front of every struct the arena hands out.
 *
 *   word 0  REFS   references that keep the struct: the creator's handle,
 *                  one per other thread that attached it, one per
 *                  descriptor in flight. The holder that drops it to 0 frees.
 *   word 1  CLASS << 16 | LINK
 *                  CLASS: the size class (free-lists.ts); LINK: while the
 *                  slot sits on its segment's remote-free list, the next
 *                  slot's offset / 16 (0 = end); while the struct is in
 *                  use, its kind tag for readers of the registry
 *                  (observe/layout.ts: Lock and RLock are found this way).
 *
 * A segment's remote-free list is a push-only stack headed by word
 * REMOTE_HEAD of the segment: any thread or process pushes with a CAS; only
 * the owning thread takes, and it takes the whole list at once (exchange
 * with 0), so the stack has no ABA problem.
 */

/** Bytes of header in front of a struct. */
export const HEADER = 8

/** First slot offset in an arena segment: the token (16 bytes) and the remote-free head come first. */
export const FIRST_SLOT = 32

/**
 * Bytes in a slot of class `cls`: multiples of 16 up to 1 KiB, then powers
 * of two (free-lists.ts; here so that readers walking a segment need
 * nothing else).
 */
export function classBytes(cls: number): number {
  return cls <= 64 ? cls * 16 : 1024 << (cls - 64)
}

/** Int32 index, in an arena segment, of the remote-free list's head (a slot offset, 0 = empty). */
export const REMOTE_HEAD = 4

/** Adds one reference to the struct whose header starts at byte `slot`. */
export function addRef(i32: Int32Array, slot: number): void {
  Atomics.add(i32, slot >> 2, 1)
}

/**
 * Drops one reference. Returns true when it was the last (the caller frees).
 * A count that was already 0 is a bookkeeping bug: it is left alone (a leak
 * is harmless, a second free is not) and reported once.
 */
export function dropRef(i32: Int32Array, slot: number): boolean {
  const before = Atomics.sub(i32, slot >> 2, 1)
  if (before > 1) return false
  if (before === 1) return true
  Atomics.add(i32, slot >> 2, 1)
  if (!warned) {
    warned = true
    process.emitWarning(`skein: a shared struct was released more often than it was held (slot ${slot}); it is kept, not freed. Please report this`, 'SkeinWarning')
  }
  return false
}

let warned = false

/** The size class recorded in a slot's header. */
export function classOf(i32: Int32Array, slot: number): number {
  return Atomics.load(i32, (slot >> 2) + 1) >>> 16
}

/** Writes a fresh header: one reference, size class `cls`. */
export function initHeader(i32: Int32Array, slot: number, cls: number): void {
  Atomics.store(i32, slot >> 2, 1)
  Atomics.store(i32, (slot >> 2) + 1, cls << 16)
}

/** Pushes a freed slot on its segment's remote-free list (any thread, any process). */
export function pushRemote(i32: Int32Array, slot: number): void {
  const link = (slot >> 2) + 1
  const cls = Atomics.load(i32, link) >>> 16
  for (;;) {
    const head = Atomics.load(i32, REMOTE_HEAD)
    Atomics.store(i32, link, (cls << 16) | (head >> 4))
    if (Atomics.compareExchange(i32, REMOTE_HEAD, head, slot) === head) return
  }
}

/** Takes the whole remote-free list (owner only); walk it with {@link nextRemote}. */
export function takeRemote(i32: Int32Array): number {
  return Atomics.load(i32, REMOTE_HEAD) === 0 ? 0 : Atomics.exchange(i32, REMOTE_HEAD, 0)
}

/** The slot after `slot` on a list taken by {@link takeRemote} (0 = end). */
export function nextRemote(i32: Int32Array, slot: number): number {
  return (Atomics.load(i32, (slot >> 2) + 1) & 0xffff) << 4
}
