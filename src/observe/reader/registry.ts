/**
 * One thread's registry, read from another process (layout.ts has the map).
 *
 * Each region is read twice; a record is kept only if both copies agree and
 * its sequence word is even, so a record the thread was rewriting is left
 * out of this snapshot rather than shown torn. Every number is checked
 * before it is used as a size or an offset: the memory belongs to another
 * process.
 */
import * as L from '../layout.js'
import { openHeld, readAt, type Opened } from './proc.js'

/** Where a struct lives: a segment held by process `pid` as fd `fd`, at `offset`. */
export interface Place {
  pid: number
  fd: number
  offset: number
  size: number
  token: string
}

/** A wait record. */
export interface WaitView {
  kind: string
  op: string
  async: boolean
  since: number
  place: Place
  name: string
  line: string | undefined
  target: number
}

/** A permit record: `count` permits of the semaphore at `place`. */
export interface PermitView {
  count: number
  place: Place
}

/** An object record (a queue, a pipe, a pool…). */
export interface ObjectView {
  kind: string
  place: Place
  name: string
  stats: number[]
}

/** What one thread's registry says. */
export interface RegistryView {
  pid: number
  tid: number
  ownerId: number
  role: string
  ppid: number
  parentTid: number
  start: number
  threadName: string
  processName: string
  quiescent: boolean
  waitOverflow: number
  arenas: Array<{ fd: number; size: number; token: string }>
  waits: WaitView[]
  permits: PermitView[]
  objects: ObjectView[]
  /** The registry's heap: resolves a heap offset (a struct's NAME word) to its text. */
  text(offset: number): string | undefined
}

/**
 * Reads the registry that process `pid` holds as fd `fd`, or undefined
 * (gone, not a registry, or not this process's). `waitsOnly`: what a
 * deadlock check needs (header, waits, permits), each wait's texts read
 * alone; no arenas, objects or heap (the view's `text` then knows nothing).
 */
export function readRegistry(pid: number, fd: number, waitsOnly = false): RegistryView | undefined {
  const file = openHeld(pid, fd)
  if (file === undefined) return undefined
  try {
    return parse(pid, file, waitsOnly)
  } finally {
    file.close()
  }
}

/** The thread whose registry process `pid` holds as fd `fd` (its header alone), or undefined. */
export function registryThread(pid: number, fd: number): number | undefined {
  const file = openHeld(pid, fd)
  if (file === undefined) return undefined
  try {
    const head = readAt(file, 0, L.HEADER_BYTES)
    if (head.length < L.HEADER_BYTES || head.readUInt32LE(L.H_MAGIC) !== L.MAGIC || head.readInt32LE(L.H_VERSION) !== L.VERSION) return undefined
    return head.readInt32LE(L.H_PID) === pid ? head.readInt32LE(L.H_TID) : undefined
  } finally {
    file.close()
  }
}

function parse(pid: number, file: Opened, waitsOnly: boolean): RegistryView | undefined {
  const head = stable(file, 0, L.HEADER_BYTES)
  if (head === undefined || head.length < L.HEADER_BYTES) return undefined
  if (head.readUInt32LE(L.H_MAGIC) !== L.MAGIC || head.readInt32LE(L.H_VERSION) !== L.VERSION) return undefined
  // A fork server child still holds its server's registry: not this process's.
  if (head.readInt32LE(L.H_PID) !== pid) return undefined
  const heapTop = clamp(head.readInt32LE(L.H_HEAP_TOP), L.HEAP, L.REGISTRY_BYTES)
  // The heap can hold megabytes of names: a wait-only read fetches the few texts it needs one by one.
  const heap = waitsOnly ? undefined : readAt(file, L.HEAP, heapTop - L.HEAP)
  const text = (offset: number): string | undefined =>
    heap !== undefined ? heapText(heap, offset) : offset >= L.HEAP && offset < heapTop ? textAt(file, offset, heapTop) : undefined
  const place = (buf: Buffer, at: number, fdAt: number, offsetAt: number, sizeAt: number, tokenAt: number): Place => ({
    pid,
    fd: buf.readInt32LE(at + fdAt),
    offset: buf.readUInt32LE(at + offsetAt),
    size: buf.readUInt32LE(at + sizeAt),
    token: buf.toString('latin1', at + tokenAt, at + tokenAt + 16),
  })

  const arenas: RegistryView['arenas'] = []
  const arenaCount = waitsOnly ? 0 : clamp(head.readInt32LE(L.H_ARENA_COUNT), 0, L.ARENA_SLOTS)
  const arenaBuf = stable(file, L.ARENAS, arenaCount * L.ARENA_RECORD) ?? Buffer.alloc(0)
  for (let i = 0; (i + 1) * L.ARENA_RECORD <= arenaBuf.length; i++) {
    const at = i * L.ARENA_RECORD
    const size = arenaBuf.readUInt32LE(at + L.A_SIZE)
    if (size === 0) continue
    arenas.push({ fd: arenaBuf.readInt32LE(at + L.A_FD), size, token: arenaBuf.toString('latin1', at + L.A_TOKEN, at + L.A_TOKEN + 16) })
  }

  const waits: WaitView[] = []
  for (const at of records(file, L.WAITS, L.WAIT_SLOTS, L.WAIT_RECORD, L.W_SEQ, L.W_KIND)) {
    const r = at.buf
    const o = at.at
    waits.push({
      kind: L.KIND_NAMES[r.readInt32LE(o + L.W_KIND)] ?? 'Other',
      op: L.OP_NAMES[r.readInt32LE(o + L.W_OP)] ?? 'wait',
      async: (r.readInt32LE(o + L.W_FLAGS) & L.WAIT_ASYNC) !== 0,
      since: r.readDoubleLE(o + L.W_SINCE),
      place: place(r, o, L.W_FD, L.W_OFFSET, L.W_SIZE, L.W_TOKEN),
      name: text(r.readInt32LE(o + L.W_NAME)) ?? '?',
      line: text(r.readInt32LE(o + L.W_LINE)),
      target: r.readInt32LE(o + L.W_TARGET),
    })
  }

  const permits: PermitView[] = []
  const permitTop = clamp(head.readInt32LE(L.H_PERMIT_TOP), 0, L.PERMIT_SLOTS)
  for (const at of records(file, L.PERMITS, permitTop, L.PERMIT_RECORD, -1, L.P_COUNT)) {
    const count = at.buf.readInt32LE(at.at + L.P_COUNT)
    if (count > 0) permits.push({ count, place: place(at.buf, at.at, L.P_FD, L.P_OFFSET, L.P_SIZE, L.P_TOKEN) })
  }

  const objects: ObjectView[] = []
  const objectTop = waitsOnly ? 0 : clamp(head.readInt32LE(L.H_OBJECT_TOP), 0, L.OBJECT_SLOTS)
  for (const at of records(file, L.OBJECTS, objectTop, L.OBJECT_RECORD, L.O_SEQ, L.O_KIND)) {
    const r = at.buf
    const o = at.at
    const stats: number[] = []
    for (let i = 0; i < L.STAT_COUNT; i++) stats.push(r.readInt32LE(o + L.O_STATS + i * 4))
    objects.push({
      kind: L.KIND_NAMES[r.readInt32LE(o + L.O_KIND)] ?? 'Other',
      place: place(r, o, L.O_FD, L.O_OFFSET, L.O_SIZE, L.O_TOKEN),
      name: text(r.readInt32LE(o + L.O_NAME)) ?? '?',
      stats,
    })
  }

  return {
    pid,
    tid: head.readInt32LE(L.H_TID),
    ownerId: head.readInt32LE(L.H_OWNER),
    role: L.ROLE_NAMES[head.readInt32LE(L.H_ROLE)] ?? 'thread',
    ppid: head.readInt32LE(L.H_PPID),
    parentTid: head.readInt32LE(L.H_PARENT_TID),
    start: head.readDoubleLE(L.H_START),
    threadName: headerName(head, L.H_THREAD_NAME),
    processName: headerName(head, L.H_PROCESS_NAME),
    quiescent: (head.readInt32LE(L.H_FLAGS) & L.FLAG_QUIESCENT) !== 0,
    waitOverflow: head.readInt32LE(L.H_WAIT_OVERFLOW),
    arenas,
    waits,
    permits,
    objects,
    text: heap !== undefined ? text : () => undefined,
  }
}

/** One text of the heap (a 2-byte length, then UTF-8), read alone from the file; bounded by the heap's top. */
function textAt(file: Opened, offset: number, heapTop: number): string | undefined {
  const head = readAt(file, offset, 2)
  if (head.length < 2) return undefined
  const length = head[0]! | (head[1]! << 8)
  if (offset + 2 + length > heapTop) return undefined
  return readAt(file, offset + 2, length).toString('utf8')
}

/** Reads a region twice and returns it only if both reads agree (else undefined). */
function stable(file: Opened, position: number, length: number): Buffer | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    const a = readAt(file, position, length)
    const b = readAt(file, position, length)
    if (a.equals(b)) return a
  }
  return undefined
}

/** The in-use records of a region: read twice, kept where both copies agree, the sequence word is even and the `used` word non-zero. */
function* records(file: Opened, position: number, count: number, size: number, seqAt: number, usedAt: number): Generator<{ buf: Buffer; at: number }> {
  if (count <= 0) return
  const a = readAt(file, position, count * size)
  const b = readAt(file, position, count * size)
  for (let i = 0; (i + 1) * size <= Math.min(a.length, b.length); i++) {
    const at = i * size
    if (a.readInt32LE(at + usedAt) === 0) continue
    if (seqAt >= 0 && (a.readInt32LE(at + seqAt) & 1) !== 0) continue
    if (a.compare(b, at, at + size, at, at + size) !== 0) continue
    yield { buf: a, at }
  }
}

function headerName(head: Buffer, at: number): string {
  const length = clamp(head.readInt32LE(at), 0, L.NAME_BYTES)
  return head.toString('utf8', at + 4, at + 4 + length)
}

function heapText(heap: Buffer, offset: number): string | undefined {
  const at = offset - L.HEAP
  if (offset === 0 || at < 0 || at + 2 > heap.length) return undefined
  const length = heap[at]! | (heap[at + 1]! << 8)
  if (at + 2 + length > heap.length) return undefined
  return heap.toString('utf8', at + 2, at + 2 + length)
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : lo
}
