/** Shared state: typed values and arrays in shared memory, and named shared memory. */
export { RawValue } from './raw-value.js'
export { RawArray, type SizeOrValues } from './raw-array.js'
export { Value } from './value.js'
export { SharedArray } from './shared-array.js'
export { SharedMemory, type SharedMemoryOptions } from './shared-memory.js'
export type { SharedLock, SynchronizedOptions } from './synchronized.js'
export { TYPECODES, type Typecode, type BigTypecode, type NumberTypecode, type ElementOf, type ArrayOf } from './typecodes.js'
