/**
 * A snapshot as terminal text: deadlocks first, then the tree of processes
 * with their threads (what each holds, what each waits for and since when),
 * then queues and pools. Names come from other processes: control
 * characters are replaced before printing, so a name can't drive the terminal.
 */
import type { Deadlock, ProcessSnapshot, Snapshot, ThreadSnapshot, WaitInfo } from '../schema.js'

/** Colours, or none (not a TTY, NO_COLOR). */
export interface Style {
  red(s: string): string
  bold(s: string): string
  dim(s: string): string
}

export const PLAIN: Style = { red: (s) => s, bold: (s) => s, dim: (s) => s }
export const ANSI: Style = {
  red: (s) => `\x1b[31m${s}\x1b[39m`,
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
}

/** The whole view, as lines. */
export function render(s: Snapshot, style: Style = PLAIN): string[] {
  const threads = s.processes.reduce((n, p) => n + p.threads.length, 0)
  const lines = [style.bold(`skein top — ${s.processes.length} process${s.processes.length === 1 ? '' : 'es'}, ${threads} thread${threads === 1 ? '' : 's'} — ${new Date(s.time).toLocaleTimeString()}`)]
  if (s.processes.length === 0) lines.push('', 'no process using skein is running (as this user)')
  for (const d of s.deadlocks) lines.push('', ...deadlock(d, s.time, style))
  lines.push('')
  for (const p of tree(s.processes)) lines.push(...processLines(p.process, p.depth, s.time, style))
  const queues = s.processes.flatMap((p) => p.queues.map((q) => ({ pid: p.pid, ...q })))
  if (queues.length > 0) {
    lines.push('', style.bold('queues'))
    for (const q of queues) {
      lines.push(`  ${clean(q.name)}  ${q.kind}  ${q.size}${q.maxsize > 0 ? `/${q.maxsize}` : ''} item${q.size === 1 ? '' : 's'}${q.closed ? '  closed' : ''}  ${q.getters} waiting to get, ${q.putters} to put  ${style.dim(`(pid ${q.pid})`)}`)
    }
  }
  const pools = s.processes.flatMap((p) => p.pools.map((q) => ({ pid: p.pid, ...q })))
  if (pools.length > 0) {
    lines.push('', style.bold('pools'))
    for (const p of pools) {
      lines.push(`  ${clean(p.name)}  ${p.kind}  ${p.workers} workers: ${p.busy} busy, ${p.idle} idle  backlog ${p.backlog}  done ${p.done}  failed ${p.failed}  ${style.dim(`(pid ${p.pid})`)}`)
    }
  }
  return lines
}

function deadlock(d: Deadlock, now: number, style: Style): string[] {
  const head = `DEADLOCK${d.certain ? '' : ' (through an async wait: certain only if the holding task waits too)'}: ${d.cycle.length === 1 ? 'a thread waits for itself' : `${d.cycle.length} threads wait for each other`}`
  return [
    style.red(style.bold(head)),
    ...d.cycle.map((m) => style.red(`  pid ${m.pid} "${clean(m.name)}" (tid ${m.tid}) ${m.holds.length === 0 ? 'is being joined' : `holds ${m.holds.map((h) => `${h.kind} "${clean(h.name)}"`).join(', ')}`} → waits for ${m.waitsFor.kind} "${clean(m.waitsFor.name)}" for ${ago(now, m.waitsFor.since)}${m.waitsFor.line === undefined ? '' : ` at ${clean(m.waitsFor.line)}`}`)),
  ]
}

function processLines(p: ProcessSnapshot, depth: number, now: number, style: Style): string[] {
  const pad = '  '.repeat(depth)
  const lines = [`${pad}${style.bold(`${p.pid}`)} ${clean(p.name)}  ${p.role}  cpu ${cpu(p.cpuMs)}  up ${ago(now, p.start)}`]
  for (const t of p.threads) lines.push(...threadLines(t, `${pad}  `, now, style))
  return lines
}

function threadLines(t: ThreadSnapshot, pad: string, now: number, style: Style): string[] {
  const lines = [`${pad}${style.dim('tid')} ${t.tid} "${clean(t.name)}"  ${t.role}  cpu ${cpu(t.cpuMs)}`]
  if (t.holds.length > 0) {
    lines.push(`${pad}    holds ${t.holds.map((h) => `${h.kind} "${clean(h.name)}"${h.permits !== undefined ? ` ×${h.permits}` : ''}${h.stale === true ? ' (its Thread returned)' : ''}`).join(', ')}`)
  }
  for (const w of t.waits) lines.push(`${pad}    ${waitText(w, now)}`)
  if (t.moreWaits !== undefined) lines.push(`${pad}    … and ${t.moreWaits} more waits`)
  return lines
}

/** One wait in words: what, how, since when, held by whom, where in the code. */
export function waitText(w: WaitInfo, now: number): string {
  const by = w.heldBy !== undefined && w.heldBy.length > 0
    ? ` ← held by ${w.heldBy.map((h) => `pid ${h.pid} "${clean(h.name)}"`).join(', ')}`
    : w.heldByGone !== undefined ? ` ← held by ended thread ${w.heldByGone.tid} (will be recovered)` : ''
  return `waits (${w.form} ${w.op}) for ${w.kind} "${clean(w.name)}" for ${ago(now, w.since)}${by}${w.line === undefined ? '' : ` at ${clean(w.line)}`}`
}

/** Processes in tree order (children under their parent), with their depth. */
export function tree(processes: ProcessSnapshot[]): Array<{ process: ProcessSnapshot; depth: number }> {
  const pids = new Set(processes.map((p) => p.pid))
  const children = new Map<number, ProcessSnapshot[]>()
  for (const p of processes) {
    const parent = pids.has(p.ppid) ? p.ppid : 0
    children.set(parent, [...(children.get(parent) ?? []), p])
  }
  const out: Array<{ process: ProcessSnapshot; depth: number }> = []
  const visit = (parent: number, depth: number): void => {
    for (const p of children.get(parent) ?? []) {
      out.push({ process: p, depth })
      if (depth < 32) visit(p.pid, depth + 1)
    }
  }
  visit(0, 0)
  return out
}

function cpu(ms: number | null): string {
  return ms === null ? '?' : ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}

function ago(now: number, then: number): string {
  const s = Math.max(0, now - then) / 1000
  if (s < 1) return `${Math.round(s * 1000)} ms`
  if (s < 120) return `${s.toFixed(1)} s`
  if (s < 7200) return `${Math.floor(s / 60)} min`
  return `${Math.floor(s / 3600)} h`
}

/** Replaces control characters (a name from another process must not move the cursor). */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}
