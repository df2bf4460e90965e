/**
 * A private redis-server for the cluster examples and tests: started on a
 * free loopback port (never a fixed one) in a temporary directory, with
 * append-only persistence when asked, and stopped when done. Returns
 * undefined when redis-server is not installed, so callers can skip with a
 * clear line (`.ci/run` installs Debian's redis-server).
 *
 *   const redis = await startLocalRedis({ appendonly: true })
 *   if (redis === undefined) console.log('redis-server is not installed: skipped')
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { ownedTempDir } from './owned-temp-dir.js'

/** A running private redis-server. */
export interface LocalRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string
  port: number
  /** Its data directory (the AOF lives here). */
  dir: string
  /** Stops it (SIGKILL when `hard`, else a clean SHUTDOWN) and starts it again on the same port and data. */
  restart(options?: { hard?: boolean; downMs?: number }): Promise<void>
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>
  /** Stalls it (SIGSTOP: connections stay open, nothing answers) until {@link resume}, as a hung server or a partition would. */
  pause(): void
  /** Lets a paused server run again (SIGCONT). */
  resume(): void
}

/** Where redis-server is, or undefined when it is not installed. */
export function redisServerPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' })
  const path = found.stdout?.trim() ?? '' // null when even sh could not be started
  return found.status === 0 && path !== '' ? path : undefined
}

/** A free TCP port on loopback (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Starts a private redis-server; undefined when redis-server is not installed. */
export async function startLocalRedis(options: { appendonly?: boolean } = {}): Promise<LocalRedis | undefined> {
  const binary = redisServerPath()
  if (binary === undefined) return undefined
  const dir = ownedTempDir('skein-redis-')
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
    '--appendonly', options.appendonly ? 'yes' : 'no', '--appendfsync', 'always']
  const start = async () => {
    const started = await launch(binary, args)
    writeFileSync(join(dir, 'server.pid'), String(started.pid)) // for the next run's sweep, if this program is killed
    return started
  }
  let child = await start()
  // A program that exits without stop() (an error) still stops its server and removes its directory.
  const onExit = () => {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', onExit)
  // The server is unref'd while it runs (it never keeps a program alive); waiting for its exit refs it
  // again, or a program with nothing else to do would end before the 'exit' event, leaving stop() pending.
  const exitOf = (c: ChildProcess) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve()
    c.ref()
    c.once('exit', () => resolve())
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async restart({ hard = false, downMs = 0 } = {}) {
      const exited = exitOf(child)
      child.kill(hard ? 'SIGKILL' : 'SIGTERM')
      await exited
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs))
      child = await start()
    },
    pause() {
      child.kill('SIGSTOP')
    },
    resume() {
      child.kill('SIGCONT')
    },
    async stop() {
      process.off('exit', onExit)
      child.kill('SIGCONT')
      const exited = exitOf(child)
      child.kill('SIGKILL')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function launch(binary: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  child.unref()
  let said = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not become ready within 10 s: ${said}`)), 10_000)
    const ready = () => {
      clearTimeout(timer)
      resolve()
    }
    // With --loglevel warning it prints nothing when fine: poll for the port instead.
    child.stderr?.on('data', (d) => { said += String(d) })
    child.stdout?.on('data', (d) => { said += String(d) })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited (${code}): ${said}`)) })
    void waitForPort(Number(args[1])).then(ready)
  })
  child.removeAllListeners('exit')
  ;(child.stdout as NodeJS.ReadableStream & { unref?: () => void } | null)?.unref?.()
  ;(child.stderr as NodeJS.ReadableStream & { unref?: () => void } | null)?.unref?.()
  return child
}

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net')
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.write('PING\r\n')
        socket.once('data', (d) => { socket.destroy(); resolve(String(d).startsWith('+PONG')) })
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
