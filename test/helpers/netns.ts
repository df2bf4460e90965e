/**
 * Several machines on one box: N Linux network namespaces on a private
 * bridge, a redis-server in one more, scripts run in the others with
 * `ip netns exec <ns> node --import tsx <script>`. Each namespace has its
 * own loopback and one interface (eth0) into the bridge; the bridge itself
 * lives in a namespace of its own, so nothing is added to the host's network
 * and the only way between machines is the bridge.
 *
 * Needs root and `ip` (iproute2); installs nothing. `netnsUnavailable` says
 * why it can't run here (the tests then skip with that reason).
 *
 * How it stays out of the way:
 * - Names carry this process's pid and a random tag
 *   (`skein-<pid>-<tag>-m0`), so parallel runs never collide; interface
 *   names are made inside the namespaces (`ip -n`), never in the host's.
 * - The subnet (10.2xx.y.0/24) exists only inside these namespaces, which
 *   have no other interface or route: it cannot clash with the host's networks.
 * - `stop()` kills every process left in the namespaces (by pid, from
 *   `ip netns pids`) and deletes them; a process 'exit' hook does the same if
 *   a test file dies first, and namespaces of a run whose pid is gone are
 *   removed the next time a network is made.
 *
 *   const machines = await startNetnsMachines(3)   // m0, m1, m2 + redis
 *   await machines.run(1, 'test/fixtures/machines/probe.ts', [...])
 *   await machines.stop()
 */
import { spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { redisServerPath } from '../../examples/local-redis.js'
import { ownedTempDir } from '../../examples/owned-temp-dir.js'
import { killAll, startCommand, type Machines } from './machines.js'

const PREFIX = 'skein-'
/** The probe script: connects to host:port, says PING, prints what came back. */
export const PROBE = 'test/fixtures/machines/probe.ts'

/** Runs `ip …args`; throws with ip's own message when it fails. */
function ip(...args: string[]): string {
  const ran = spawnSync('ip', args, { encoding: 'utf8' })
  if (ran.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${ran.status ?? ran.signal}): ${(ran.stderr || ran.error?.message || '').trim()}`)
  return ran.stdout
}

/** Why network namespaces can't be made here, or undefined when they can (checked once, by making one). */
export const netnsUnavailable: string | undefined = (() => {
  if (process.platform !== 'linux') return `network namespaces are Linux-only (this is ${process.platform})`
  if (process.getuid?.() !== 0) return `making network namespaces needs root (running as uid ${process.getuid?.()}); .ci/run runs as root`
  if (spawnSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).status !== 0) return '`ip` (iproute2) is not installed (apt-get install iproute2; .ci/run does it)'
  if (redisServerPath() === undefined) return 'redis-server is not installed (apt-get install redis-server; .ci/run does it)'
  const probe = `${PREFIX}probe-${process.pid}-${randomBytes(2).toString('hex')}`
  try {
    ip('netns', 'add', probe)
    try {
      ip('-n', probe, 'link', 'add', 'br0', 'type', 'bridge')
      ip('-n', probe, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1')
    } finally {
      ip('netns', 'del', probe)
    }
    return undefined
  } catch (error) {
    return `\`ip netns\` does not work here (a container without CAP_SYS_ADMIN?): ${(error as Error).message}`
  }
})()

/** Namespaces made by this process and not yet deleted (for the exit hook). */
const live = new Set<string>()
let exitHookSet = false

/** Kills every process inside `ns` (all started, directly or not, by these tests) and deletes it. */
function removeNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout?.split(/\s+/).filter(Boolean) ?? []
  for (const pid of pids) {
    try { process.kill(Number(pid), 'SIGKILL') } catch { /* gone already */ }
  }
  spawnSync('ip', ['netns', 'del', ns])
  live.delete(ns)
}

/** Namespaces of earlier runs whose process is gone (a test file killed before its teardown). */
function removeStaleNamespaces(): void {
  const names = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout?.split('\n').map((l) => l.split(' ')[0]!) ?? []
  for (const name of names) {
    const owner = /^skein-(\d+)-[0-9a-f]{4}-/.exec(name)?.[1]
    if (owner === undefined || Number(owner) === process.pid) continue
    try {
      process.kill(Number(owner), 0)
    } catch {
      removeNamespace(name)
    }
  }
}

/**
 * `size` machine namespaces and a Redis namespace on a private bridge; Redis
 * listens on its bridge address (and its own 127.0.0.1, which no machine
 * shares). Resolves once machine 0 has reached Redis through the bridge.
 */
export async function startNetnsMachines(size: number): Promise<Machines> {
  if (netnsUnavailable !== undefined) throw new Error(netnsUnavailable)
  removeStaleNamespaces()
  if (!exitHookSet) {
    exitHookSet = true
    process.on('exit', () => { for (const ns of [...live]) removeNamespace(ns) })
  }
  const tag = `${PREFIX}${process.pid}-${randomBytes(2).toString('hex')}`
  const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`
  const switchNs = `${tag}-switch`
  const redisNs = `${tag}-redis`
  const machineNs = Array.from({ length: size }, (_, i) => `${tag}-m${i}`)
  const running = new Set<ChildProcess>()
  const dir = ownedTempDir('skein-netns-redis-')
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await killAll(running)
    for (const ns of [...machineNs, redisNs, switchNs]) removeNamespace(ns)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    ip('netns', 'add', switchNs)
    live.add(switchNs)
    ip('-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', switchNs, 'link', 'set', 'br0', 'up')
    // Host k (Redis is 1, machine i is i + 2) gets 10.x.y.k on its eth0, plugged into the bridge as vk.
    for (const [k, ns] of [redisNs, ...machineNs].entries()) {
      ip('netns', 'add', ns)
      live.add(ns)
      ip('-n', switchNs, 'link', 'add', `v${k + 1}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
      ip('-n', switchNs, 'link', 'set', `v${k + 1}`, 'master', 'br0', 'up')
      ip('-n', ns, 'addr', 'add', `${subnet}.${k + 1}/24`, 'dev', 'eth0')
      ip('-n', ns, 'link', 'set', 'eth0', 'up')
      ip('-n', ns, 'link', 'set', 'lo', 'up')
    }
    const redisHost = `${subnet}.1`
    const redisBinary = redisServerPath()!
    // Port 6379 is free by construction: the namespace is new.
    startCommand('ip', ['netns', 'exec', redisNs, redisBinary, '--port', '6379', '--bind', redisHost, '127.0.0.1', '--protected-mode', 'no',
      '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { timeout: 3_600_000 }, running)
    const machines: Machines = {
      kind: 'netns',
      size,
      redisUrl: `redis://${redisHost}:6379`,
      start(index, script, args, options = {}) {
        if (!(index >= 0 && index < size)) throw new RangeError(`machine ${index}: there are machines 0 to ${size - 1}`)
        return startCommand('ip', ['netns', 'exec', machineNs[index]!, process.execPath, '--import', 'tsx', script, ...args],
          { ...options, env: { SKEIN_MACHINE: `m${index}`, ...options.env } }, running)
      },
      run(index, script, args, options) {
        return machines.start(index, script, args, options).done
      },
      stop,
    }
    const ready = await machines.run(0, PROBE, [redisHost, '6379', '10000'])
    if (!ready.values.some((v) => (v as { reply?: string }).reply === 'PONG')) {
      throw new Error(`redis-server in ${redisNs} did not answer machine 0 through the bridge: ${ready.stdout} ${ready.stderr}`)
    }
    return machines
  } catch (error) {
    await stop()
    throw error
  }
}
