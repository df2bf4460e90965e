/**
 * Process basics: a subclass with run(), pid and parent pid, terminate() then
 * isAlive(), a daemon child ended with its parent, no zombies, and no orphans
 * when the parent is killed with SIGKILL.
 *
 *   npx tsx examples/process-basics.ts
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Process, activeChildren, parentProcess } from 'skein'
import { isEntry } from './entry.js'

/** A subclass: its fields are cloned to the child, where run() is called. */
export class Greeter extends Process {
  greeting = 'hello'
  override run(): void {
    console.log(`  ${this.greeting} from ${this.name}: pid ${process.pid}, parent pid ${parentProcess()?.pid}`)
  }
}

/** Sleeps a minute (to be terminated, or to outlive nothing). */
export async function sleepLong(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 60_000))
}

function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

async function gone(pid: number, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms
  while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
  return !alive(pid)
}

/** Runs this file again as a small parent script; returns its first output line as JSON. */
function spawnParent(mode: string): Promise<{ parent: number; daemon: number; child?: number; exited: Promise<number | null> }> {
  const me = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>((r) => me.on('exit', (code) => r(code)))
  return new Promise((resolve) => me.stdout.once('data', (d) => resolve({ ...JSON.parse(String(d)), parent: me.pid, exited })))
}

export async function main(): Promise<void> {
  console.log(`main process: pid ${process.pid}`)
  const g = new Greeter({ name: 'greeter' })
  g.greeting = 'hi'
  await g.start()
  await g.join()
  console.log(`  ${g.name}: pid ${g.pid}, exit code ${g.exitCode}`)

  const p = new Process({ target: sleepLong, name: 'sleeper' })
  await p.start()
  console.log(`sleeper started: isAlive() = ${p.isAlive()}`)
  p.terminate()
  await p.join()
  console.log(`after terminate() + join(): isAlive() = ${p.isAlive()}, exit code ${p.exitCode} (-SIGTERM)`)

  const normal = await spawnParent('--as-daemon-parent')
  await normal.exited
  console.log(`a parent that exits normally: its daemon child ${normal.daemon} ${await gone(normal.daemon) ? 'was terminated with it' : 'IS STILL RUNNING'}`)

  const killed = await spawnParent('--as-parent')
  process.kill(killed.parent, 'SIGKILL')
  const bothGone = (await gone(killed.daemon)) && (await gone(killed.child!))
  await killed.exited // the killed helper is our own child: let it be reaped before counting zombies
  console.log(`a parent killed with SIGKILL: children ${killed.daemon} (daemon) and ${killed.child} ${bothGone ? 'went with it — no orphans' : 'ARE ORPHANED'}`)

  const zombies = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
    .filter((pid) => { try { return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) } catch { return false } })
  console.log(`zombie children left: ${zombies.length}; active children: ${activeChildren().length}`)
  if (!bothGone || zombies.length > 0) throw new Error('a child outlived its parent, or a zombie was left behind')
}

/** The small parent script: starts children, prints their pids, then returns or waits. */
async function asParent(mode: string): Promise<void> {
  const daemon = new Process({ target: sleepLong, daemon: true })
  await daemon.start()
  if (mode === '--as-daemon-parent') {
    console.log(JSON.stringify({ daemon: daemon.pid }))
    return // the parent exits; its daemon child gets SIGTERM
  }
  const child = new Process({ target: sleepLong })
  await child.start()
  console.log(JSON.stringify({ daemon: daemon.pid, child: child.pid }))
}

if (isEntry(import.meta.url)) {
  const mode = process.argv[2]
  if (mode?.startsWith('--as-')) await asParent(mode)
  else await main()
}
