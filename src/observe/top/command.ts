/**
 * `skein top [--pid PID] [--once] [--json] [--web]`: every process and
 * thread of this user that uses skein, what each holds and waits for,
 * queues, pools and deadlocks; refreshed every second.
 *
 *   skein top                   the terminal view, redrawn every second (q or Ctrl-C quits)
 *   skein top --once            one frame, then exit
 *   skein top --once --json     one snapshot as JSON (docs/observability.md has the schema)
 *   skein top --json            one JSON snapshot per line, every second
 *   skein top --web             serve the view on 127.0.0.1 (random port, token in the URL)
 *   skein top --pid 4310        only that process and its descendants
 *
 * Loads no addon and maps nothing: it only reads /proc and the registries.
 */
import { existsSync } from 'node:fs'
import { snapshot } from '../snapshot/snapshot.js'
import { ANSI, PLAIN, render } from './render.js'
import { serveWeb } from './web.js'

/** What `skein top` was asked for (src/cli/commands/top.ts parses and checks it). */
export interface TopOptions {
  /** Only this process and its descendants. */
  pid?: number
  once: boolean
  json: boolean
  web: boolean
}

/** Runs `skein top`; resolves when it is done (at once for --once, on Ctrl-C otherwise). */
export async function top(opts: TopOptions): Promise<void> {
  if (opts.pid !== undefined && !existsSync(`/proc/${opts.pid}`)) throw new Error(`no process with pid ${opts.pid} is running`)
  const take = () => snapshot({ pid: opts.pid })
  if (opts.web) return web(take)
  if (opts.once) {
    process.stdout.write(opts.json ? `${JSON.stringify(take(), null, 2)}\n` : `${render(take(), PLAIN).join('\n')}\n`)
    return
  }
  const tty = process.stdout.isTTY === true && !opts.json
  const style = tty && process.env.NO_COLOR === undefined ? ANSI : PLAIN
  return new Promise((resolve) => {
    const frame = (): void => {
      if (opts.json) process.stdout.write(`${JSON.stringify(take())}\n`)
      else if (tty) process.stdout.write(`\x1b[H\x1b[2J${render(take(), style).join('\n')}\n${style.dim('q or Ctrl-C quits')}`)
      else process.stdout.write(`${render(take(), PLAIN).join('\n')}\n\n`)
    }
    const timer = setInterval(frame, 1000)
    const stop = (): void => {
      clearInterval(timer)
      if (process.stdin.isTTY) process.stdin.setRawMode(false)
      process.stdin.pause()
      if (tty) process.stdout.write('\n')
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    if (tty && process.stdin.isTTY) {
      process.stdin.setRawMode(true)
      process.stdin.on('data', (key: Buffer) => {
        if (key[0] === 0x71 || key[0] === 0x03) stop() // q, Ctrl-C
      })
    }
    frame()
  })
}

async function web(take: () => ReturnType<typeof snapshot>): Promise<void> {
  const view = await serveWeb(take)
  process.stdout.write(`skein top: ${view.url}\n(open it in a browser; Ctrl-C stops)\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await view.close()
}
