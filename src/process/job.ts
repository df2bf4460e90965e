/**
 * The job: everything a child needs to run a target, in cloneable form.
 *
 * How it works: the target function (or the `Process`/`Thread` subclass) is
 * reduced to a module URL + export name (runtime/locate.ts); arguments and a
 * subclass's own enumerable fields go through `encode` (shared objects become
 * descriptors) and are then checked for cloneability by the backend, so a bad
 * argument fails in `start()` before anything is spawned. `net.Socket` and
 * `net.Server` arguments are lifted out: a process backend sends them as
 * handles.
 */
import { encode } from '../shm/handle.js'
import { findUncloneable, ordinal } from './uncloneable.js'
import { describeFunction, type FunctionRef } from '../runtime/locate.js'

/** A cloneable description of what a child runs. */
export interface Job {
  name: string
  daemon: boolean
  /** A subclass to rebuild in the child (without its constructor) and call run() on. */
  cls?: FunctionRef
  /** The target function, when one was given. */
  target?: FunctionRef
  /** Encoded arguments; a socket argument's slot holds null. */
  args: unknown[]
  /** Encoded own enumerable fields of a subclass instance. */
  fields: Record<string, unknown>
  /** Indices of arguments passed as handles (sockets to a process, MessagePorts to a thread). */
  handleArgs: number[]
}

/** What the owner hands to prepareJob. */
export interface JobSource {
  kind: string
  name: string
  daemon: boolean
  instance: object
  base: Function
  target: Function | undefined
  args: readonly unknown[]
  /** Argument classes this backend passes as handles, and what to say when another kind shows up. */
  handles: { types: readonly Function[]; refuse: Array<[Function, string]> }
  cloneCheck: (value: unknown) => void
}

/** Builds the job; rejects with TypeError for unlocatable targets or uncloneable values. */
export async function prepareJob(src: JobSource): Promise<{ job: Job; handles: object[] }> {
  const ctor = src.instance.constructor as Function
  const cls = ctor === src.base ? undefined : await describeFunction(ctor)
  const target = src.target === undefined ? undefined : await describeFunction(src.target)
  const handles: object[] = []
  const handleArgs: number[] = []
  const plain = src.args.map((arg, i) => {
    for (const [type, why] of src.handles.refuse) {
      if (arg instanceof type) throw new TypeError(`${src.kind} ${src.name}: ${argument(i)} is a ${type.name}, which ${why}`)
    }
    if (src.handles.types.some((type) => arg instanceof type)) {
      handles.push(arg as object)
      handleArgs.push(i)
      return null
    }
    return arg
  })
  const args = (await encode(plain)) as unknown[]
  for (let i = 0; i < args.length; i++) check(src, args[i], argument(i))
  let fields: Record<string, unknown> = {}
  if (cls !== undefined) {
    // One encode for all fields, so the field names are escaped and unescaped as any keys are.
    fields = (await encode(Object.fromEntries(Object.entries(src.instance)))) as Record<string, unknown>
    for (const [key, value] of Object.entries(src.instance)) check(src, fields[key], `field '${key}'`)
  }
  return { job: { name: src.name, daemon: src.daemon, cls, target, args, fields, handleArgs }, handles }
}

function check(src: JobSource, value: unknown, what: string): void {
  try {
    src.cloneCheck(value)
  } catch (error) {
    const { path, what: part } = findUncloneable(value, src.cloneCheck)
    const where = path === '' ? `${what} is ${part}` : `${what} holds ${part} at ${path}`
    throw new TypeError(`${src.kind} ${src.name}: ${where}, which can't be cloned into the child. Pass plain data (structured-cloneable: objects, arrays, Map, Set, Date, BigInt, typed arrays) or a skein shared object (Lock, Value, Queue…); functions, symbols, promises and class instances with behaviour do not cross`, { cause: error })
  }
}

/** An argument as the user counts it: `the 2nd argument (args[1])`. */
function argument(i: number): string {
  return `the ${ordinal(i + 1)} argument (args[${i}])`
}
