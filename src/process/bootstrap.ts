/**
 * The entry point of every child process (run by `node` with the parent's
 * execArgv): `bootstrap <parentPid> <attached|detached>`.
 *
 * 1. Ask the kernel to SIGKILL us when the parent dies (PDEATHSIG), unless
 *    detached; if the parent already died, exit.
 * 2. Mark this process as a skein child, load skein, and say 'ready'.
 * 3. Receive handle messages (sockets) and one 'run' job; import the target's
 *    module while "bootstrapping" (start() throws then), decode arguments,
 *    report 'started' (or 'failed', which rejects start() in the parent),
 *    drop the IPC channel and call the target. A thrown error is printed with
 *    its stack and the exit code is 1. A returned value is ignored; the
 *    process then ends when its event loop is empty.
 *
 * A warm spare is this same program waiting at step 3; it exits if the parent
 * disconnects before sending a job.
 */
import { native } from '../native.js'
import { context } from '../runtime/context.js'
import { identifyProcess } from '../observe/registry.js'
import type { Job } from './job.js'
import { processBackend } from './process.js'
import { loadJob, printFailure, serializeError } from './run.js'

interface RunMessage {
  skein: 'run'
  job: Job
  env?: Record<string, string>
  cwd?: string
  /** The parent's process.argv, which the child sees (as Python's children see sys.argv). */
  argv?: string[]
}

const parentPid = Number(process.argv[2])
const detached = process.argv[3] === 'detached'
if (!detached && !native.setPdeathsig(9, parentPid)) process.exit(1)
const ctx = context()
ctx.child = { name: 'Process', daemon: false, parentPid }

const handles: unknown[] = []
let running = false
process.on('disconnect', () => { if (!running) process.exit(0) })
process.on('message', (m: { skein?: string }, handle: unknown) => {
  if (m?.skein === 'handle') handles.push(handle)
  else if (m?.skein === 'run' && !running) {
    running = true
    void run(m as RunMessage)
  }
})
const root = '../index.js'
await import(root).catch(() => {})
process.send!({ skein: 'ready' })

async function run(m: RunMessage): Promise<void> {
  if (m.env !== undefined) {
    for (const key of Object.keys(process.env)) if (!(key in m.env)) delete process.env[key]
    Object.assign(process.env, m.env)
  }
  if (m.cwd !== undefined && m.cwd !== process.cwd()) process.chdir(m.cwd)
  if (m.argv !== undefined) process.argv.splice(0, process.argv.length, ...m.argv)
  ctx.child = { name: m.job.name, daemon: m.job.daemon, parentPid }
  identifyProcess('process', m.job.name)
  let call: () => unknown
  try {
    call = await loadJob(m.job, processBackend, handles)
  } catch (error) {
    printFailure('Process', m.job.name, error)
    process.send!({ skein: 'failed', error: serializeError(error) }, () => process.exit(1))
    return
  }
  process.removeAllListeners('message')
  process.send!({ skein: 'started' }, () => { if (process.connected) process.disconnect() })
  try {
    await call()
  } catch (error) {
    printFailure('Process', m.job.name, error)
    process.exit(1)
  }
}
