/**
 * Where everything sits in a thread's registry: shared by the writer (the
 * thread itself, registry.ts) and every reader (`skein top`, another
 * process's deadlock check, an error naming a lock's holder).
 *
 * A registry is one anonymous memfd per JS thread, named `skein-registry`,
 * so `/proc/PID/fd/N` of its process links to `/memfd:skein-registry
 * (deleted)`: a reader finds every registry of a user by scanning
 * `/proc/* /fd` (the kernel's ptrace rules keep other users out), and the
 * kernel frees it with the process, SIGKILL included; nothing appears in
 * /dev/shm. Only its own thread writes a registry (no locks); readers copy
 * what they need twice and keep a record only if both copies agree and its
 * sequence word is even (a seqlock without retries on the writer's side).
 *
 * ```
 *  0        header            pid, tid, owner id, role, parent, start, names
 *  ARENAS   arena segments     the segments this thread carves structs from
 *  WAITS    wait records       what this thread (or a task of it) sleeps on now
 *  PERMITS  permit records     semaphore permits this thread holds
 *  OBJECTS  object records     queues, pipes, pools, Manager and cluster objects
 *  HEAP     strings            names and code lines, u16 length + UTF-8
 * ```
 *
 * All numbers are little-endian 32-bit words unless said otherwise; a
 * *place* is (fd in the registry's process, byte offset, segment size,
 * 16-byte token), enough to open `/proc/PID/fd/FD` and check the token.
 */

/** 'SKRG' */
export const MAGIC = 0x47524b53
export const VERSION = 1
/** What /proc/PID/fd/N links to for a registry. */
export const MEMFD_NAME = 'skein-registry'
export const MEMFD_LINK = `/memfd:${MEMFD_NAME} (deleted)`

/** Bytes reserved per registry (sparse: only written pages count). */
export const REGISTRY_BYTES = 8 << 20

// ---- header (byte offsets)
export const H_MAGIC = 0
export const H_VERSION = 4
export const H_PID = 8
export const H_TID = 12
/** The owner id locks record while this thread holds them (tid + generation, sync/identity.ts). */
export const H_OWNER = 16
export const H_ROLE = 20
export const H_PPID = 24
/** The tid of the thread that started this one (0: a process's main thread). */
export const H_PARENT_TID = 28
/** f64: when the thread (or the process, for a main thread) started, epoch ms. */
export const H_START = 32
/** Bumped around every change of the header's names and role (odd while writing). */
export const H_SEQ = 40
/** Bumped by every change anywhere in the registry: a reader may skip an unchanged one. */
export const H_CHANGES = 44
/** Thread name: u32 length + up to NAME_BYTES of UTF-8. */
export const H_THREAD_NAME = 48
/** Process name (as `currentProcess().name`): u32 length + up to NAME_BYTES. */
export const H_PROCESS_NAME = 48 + 4 + 64
export const NAME_BYTES = 64
/** Arena segments listed (entries used, including emptied ones). */
export const H_ARENA_COUNT = 184
/** Wait records beyond WAIT_SLOTS that could not be published (a count). */
export const H_WAIT_OVERFLOW = 188
/** Permit and object records in use up to this index (a high-water mark). */
export const H_PERMIT_TOP = 192
export const H_OBJECT_TOP = 196
/** First free byte of the heap. */
export const H_HEAP_TOP = 200
/** Flags: bit 0 = every task of this thread that runs is asleep on skein (see deadlock.ts). */
export const H_FLAGS = 204
export const HEADER_BYTES = 512

export const FLAG_QUIESCENT = 1

// ---- arena segments: token(16) fd size
export const ARENAS = 512
export const ARENA_SLOTS = 96
export const ARENA_RECORD = 32
export const A_TOKEN = 0
export const A_FD = 16
export const A_SIZE = 20

// ---- wait records
export const WAITS = 4096
export const WAIT_SLOTS = 256
export const WAIT_RECORD = 64
/** Odd while the record is being written; a free record has kind 0. */
export const W_SEQ = 0
export const W_KIND = 4
export const W_OP = 8
/** bit 0: an async wait (a task of the thread); bit 1: the waiter checks for deadlocks. */
export const W_FLAGS = 12
/** f64, epoch ms. */
export const W_SINCE = 16
export const W_FD = 24
export const W_OFFSET = 28
export const W_SIZE = 32
export const W_TOKEN = 36
/** Heap offset of the object's display name (0: unknown). */
export const W_NAME = 52
/** Heap offset of the waiting code's line (file:line, 0: unknown). */
export const W_LINE = 56
/** For a join: the tid (thread) or pid (process) joined. */
export const W_TARGET = 60
export const WAIT_ASYNC = 1

// ---- permit records: semaphore permits held by this thread
export const PERMITS = WAITS + WAIT_SLOTS * WAIT_RECORD
export const PERMIT_SLOTS = 512
export const PERMIT_RECORD = 32
/** Permits held; 0 = free record. Written only by this thread. */
export const P_COUNT = 0
export const P_FD = 4
export const P_OFFSET = 8
export const P_SIZE = 12
export const P_TOKEN = 16

// ---- object records: objects with a segment of their own, and pools
export const OBJECTS = PERMITS + PERMIT_SLOTS * PERMIT_RECORD
export const OBJECT_SLOTS = 2048
export const OBJECT_RECORD = 64
export const O_SEQ = 0
/** 0 = free record. */
export const O_KIND = 4
export const O_FD = 8
export const O_OFFSET = 12
export const O_SIZE = 16
export const O_TOKEN = 20
export const O_NAME = 36
/** Six i32 counters whose meaning depends on the kind (pools: see POOL_*). */
export const O_STATS = 40
export const STAT_COUNT = 6
export const POOL_WORKERS = 0
export const POOL_BUSY = 1
export const POOL_BACKLOG = 2
export const POOL_DONE = 3
export const POOL_FAILED = 4

// ---- heap
export const HEAP = 256 << 10
/** Longest string the heap keeps (longer ones are cut). */
export const HEAP_STRING_MAX = 400

/**
 * Bytes of the arena slot header in front of a struct (shm/slot-header.ts),
 * and its tag bits (the low 16 bits of header word 1 while the struct is in
 * use): the kind in the low 8, the index of the struct's NAME word (its
 * name's heap offset in the creator's registry) in the high 8.
 */
export const SLOT_HEADER = 8
export const SLOT_TAG_MASK = 0xffff
export const SLOT_TAG_KIND_MASK = 0xff
export const SLOT_TAG_NAME_SHIFT = 8

/**
 * What a record's kind says. Lock and RLock structs are found by walking
 * arena segments (their tag is in the slot header, the holder's owner id in
 * word 0); the others appear in wait, permit and object records (and tagged
 * ones in arenas, for their names).
 */
export const KIND = {
  Lock: 1,
  RLock: 2,
  Semaphore: 3,
  BoundedSemaphore: 4,
  Condition: 5,
  Event: 6,
  Barrier: 7,
  Queue: 8,
  Pipe: 9,
  Thread: 10,
  Process: 11,
  Pool: 12,
  ThreadPool: 13,
  Manager: 14,
  SharedDict: 15,
  SharedList: 16,
  FileLock: 17,
  Value: 18,
  SharedArray: 19,
  Cluster: 20,
  Other: 21,
} as const
export type KindName = keyof typeof KIND
export const KIND_NAMES: readonly string[] = (() => {
  const names: string[] = []
  for (const [name, code] of Object.entries(KIND)) names[code] = name
  return names
})()

/** Word index of the owner id in a Lock/RLock struct (0: free). */
export const LOCK_OWNER_WORD = 0

/** What a waiter is doing. */
export const OP = {
  acquire: 1,
  wait: 2,
  get: 3,
  put: 4,
  join: 5,
  recv: 6,
  send: 7,
} as const
export type OpName = keyof typeof OP
export const OP_NAMES: readonly string[] = (() => {
  const names: string[] = []
  for (const [name, code] of Object.entries(OP)) names[code] = name
  return names
})()

/** A thread's role. */
export const ROLE = {
  main: 1,
  process: 2,
  thread: 3,
  'pool worker': 4,
  'fork server': 5,
  'idle worker': 6,
} as const
export type RoleName = keyof typeof ROLE
export const ROLE_NAMES: readonly string[] = (() => {
  const names: string[] = []
  for (const [name, code] of Object.entries(ROLE)) names[code] = name
  return names
})()

/** Owner ids: the tid in the low bits, a generation above (sync/identity.ts). */
export const OWNER_TID_BITS = 22
export const OWNER_TID_MASK = (1 << OWNER_TID_BITS) - 1
