/**
 * The page `skein top --web` serves: one HTML document with its script and
 * style inline (allowed by a per-response nonce in the Content-Security-
 * Policy, nothing else may run or load). It polls `snapshot.json` every
 * second with the token of its own URL and draws the deadlocks, the wait-for
 * graph (SVG), processes and threads, queues and pools. Every name from the
 * snapshot is set as text, never parsed as HTML.
 */

/** The page, with `nonce` on its script and style. */
export function pageHtml(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>skein top</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style nonce="${nonce}">${STYLE}</style></head>
<body>
<header><h1>skein top</h1><span id="summary"></span><span id="status" class="status">connecting…</span></header>
<section id="deadlocks"></section>
<section class="graph-box"><h2>wait-for graph</h2><p class="legend"><span class="k-thread">thread</span> <span class="k-object">lock / semaphore / …</span> thread → object: waits for · object → thread: held by · <span class="k-cycle">red: a deadlock</span></p><svg id="graph" viewBox="0 0 760 520" role="img" aria-label="wait-for graph"></svg></section>
<section><h2>processes and threads</h2><table id="threads"><thead><tr><th>pid / tid</th><th>name</th><th>role</th><th>cpu</th><th>holds</th><th>waits for</th></tr></thead><tbody></tbody></table></section>
<section><h2>queues</h2><table id="queues"><thead><tr><th>name</th><th>kind</th><th>items</th><th>waiting to get</th><th>to put</th><th>pid</th></tr></thead><tbody></tbody></table></section>
<section><h2>pools</h2><table id="pools"><thead><tr><th>name</th><th>kind</th><th>workers</th><th>busy</th><th>idle</th><th>backlog</th><th>done</th><th>failed</th><th>pid</th></tr></thead><tbody></tbody></table></section>
<script nonce="${nonce}">${SCRIPT}</script>
</body></html>`
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 2em; color: #1d232b; background: #f7f8fa; }
header { display: flex; gap: 1em; align-items: baseline; border-bottom: 1px solid #d5d9e0; padding: .6em 0; }
h1 { font-size: 1.3em; margin: 0; } h2 { font-size: 1em; margin: 1.2em 0 .4em; color: #4a5564; }
.status { margin-left: auto; color: #4a5564; font-size: .9em; }
.status.down { color: #b3261e; font-weight: 600; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #e6e9ee; vertical-align: top; }
th { font-weight: 600; color: #4a5564; background: #eef1f5; }
tr.process td { font-weight: 600; background: #f1f4f8; }
tr.thread td:first-child { padding-left: 1.8em; }
.deadlock { background: #fde8e7; border: 1px solid #e4a19c; border-left: 5px solid #b3261e; padding: .5em .9em; margin: .8em 0; }
.deadlock h3 { color: #b3261e; margin: 0 0 .3em; font-size: 1em; }
.deadlock li { margin: .15em 0; }
.code { font-family: ui-monospace, monospace; font-size: .92em; color: #4a5564; }
.graph-box svg { width: 100%; max-width: 980px; background: #fff; border: 1px solid #e6e9ee; }
.node-thread ellipse { fill: #e3edfb; stroke: #2f6fce; stroke-width: 1.5; }
.node-object rect { fill: #fff6e0; stroke: #c58b00; stroke-width: 1.5; }
.node text { font-size: 11px; text-anchor: middle; fill: #1d232b; }
.node.cycle ellipse, .node.cycle rect { stroke: #b3261e; stroke-width: 3; }
line.edge { stroke: #8a94a3; stroke-width: 1.4; }
line.edge.wait { stroke-dasharray: 5 3; }
line.edge.cycle { stroke: #b3261e; stroke-width: 2.6; }
.legend { color: #4a5564; font-size: .9em; margin: 0 0 .3em; }
.k-thread { color: #2f6fce; font-weight: 600; } .k-object { color: #a87500; font-weight: 600; } .k-cycle { color: #b3261e; font-weight: 600; }
.empty { color: #7a8595; font-style: italic; }
`

const SCRIPT = `
'use strict';
const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
function el(tag, attrs, text) {
  const e = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function ago(now, then) { const s = Math.max(0, now - then) / 1000; return s < 1 ? Math.round(s * 1000) + ' ms' : s < 120 ? s.toFixed(1) + ' s' : Math.floor(s / 60) + ' min'; }
function cpu(ms) { return ms === null ? '?' : ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(1) + ' s'; }
function obj(o) { return o.kind + ' "' + o.name + '"'; }

function drawDeadlocks(s) {
  const box = $('deadlocks'); box.replaceChildren();
  for (const d of s.deadlocks) {
    const div = el('div', { class: 'deadlock', 'data-members': d.cycle.length });
    div.append(el('h3', {}, 'Deadlock: ' + (d.cycle.length === 1 ? 'a thread waits for itself' : d.cycle.length + ' threads wait for each other') + (d.certain ? '' : ' (through an async wait)')));
    const ul = el('ul');
    for (const m of d.cycle) {
      const li = el('li', { class: 'member' });
      li.append(el('b', {}, 'pid ' + m.pid + ' "' + m.name + '"'), (m.holds.length ? ' holds ' + m.holds.map(obj).join(', ') : ' is being joined') + ', waits for ' + obj(m.waitsFor) + ' (' + m.waitsFor.form + ' ' + m.waitsFor.op + ', ' + ago(s.time, m.waitsFor.since) + ')');
      if (m.waitsFor.line) li.append(' ', el('span', { class: 'code' }, 'at ' + m.waitsFor.line));
      ul.append(li);
    }
    div.append(ul); box.append(div);
  }
}

function drawGraph(s) {
  const svg = $('graph'); svg.replaceChildren();
  const defs = el('svg:defs');
  for (const [id, color] of [['arrow', '#8a94a3'], ['arrow-red', '#b3261e']]) {
    const m = el('svg:marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    m.append(el('svg:path', { d: 'M0,0 L10,5 L0,10 z', fill: color })); defs.append(m);
  }
  svg.append(defs);
  const nodes = new Map(); const order = []; const edges = new Map();
  const node = (id, kind, label, sub) => { if (!nodes.has(id)) { nodes.set(id, { id, kind, label, sub, cycle: false }); order.push(id); } return nodes.get(id); };
  const tid = (t) => 't:' + t.pid + ':' + t.tid;
  const oid = (o) => 'o:' + o.kind + ':' + o.name;
  const edge = (from, to, kind, cycle) => { const k = from + '>' + to; const e = edges.get(k) || { from, to, kind, cycle: false }; e.cycle = e.cycle || cycle; edges.set(k, e); };
  for (const d of s.deadlocks) {
    d.cycle.forEach((m, i) => {
      const next = d.cycle[(i + 1) % d.cycle.length];
      node(tid(m), 'thread', m.name, 'pid ' + m.pid).cycle = true;
      node(oid(m.waitsFor), 'object', m.waitsFor.kind, m.waitsFor.name).cycle = true;
      edge(tid(m), oid(m.waitsFor), 'wait', true); edge(oid(m.waitsFor), tid(next), 'hold', true);
    });
  }
  for (const p of s.processes) for (const t of p.threads) {
    if (t.holds.length === 0 && t.waits.length === 0) continue;
    node(tid(t), 'thread', t.name, 'pid ' + t.pid);
    for (const h of t.holds) { node(oid(h), 'object', h.kind, h.name); edge(oid(h), tid(t), 'hold', false); }
    for (const w of t.waits) {
      node(oid(w), 'object', w.kind, w.name); edge(tid(t), oid(w), 'wait', false);
      for (const h of w.heldBy || []) { node(tid(h), 'thread', h.name, 'pid ' + h.pid); edge(oid(w), tid(h), 'hold', false); }
    }
  }
  if (order.length === 0) { const t = el('svg:text', { x: 380, y: 260, 'text-anchor': 'middle', class: 'empty' }, 'nothing held or waited for right now'); svg.append(t); return; }
  const shown = order.slice(0, 48); const pos = new Map();
  const cx = 380, cy = 260, r = shown.length === 1 ? 0 : Math.min(210, 60 + shown.length * 18);
  shown.forEach((id, i) => { const a = -Math.PI / 2 + (2 * Math.PI * i) / shown.length; pos.set(id, [cx + r * Math.cos(a) * 1.45, cy + r * Math.sin(a)]); });
  for (const e of edges.values()) {
    const a = pos.get(e.from), b = pos.get(e.to); if (!a || !b) continue;
    const dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy) || 1, cut = 34;
    svg.append(el('svg:line', { class: 'edge ' + e.kind + (e.cycle ? ' cycle' : ''), x1: a[0] + dx / len * cut, y1: a[1] + dy / len * cut * 0.7, x2: b[0] - dx / len * cut, y2: b[1] - dy / len * cut * 0.7, 'marker-end': 'url(#' + (e.cycle ? 'arrow-red' : 'arrow') + ')' }));
  }
  for (const id of shown) {
    const n = nodes.get(id); const [x, y] = pos.get(id);
    const g = el('svg:g', { class: 'node node-' + n.kind + (n.cycle ? ' cycle' : ''), 'data-id': id });
    const label = n.label.length > 22 ? n.label.slice(0, 21) + '…' : n.label, sub = n.sub.length > 24 ? n.sub.slice(0, 23) + '…' : n.sub;
    if (n.kind === 'thread') g.append(el('svg:ellipse', { cx: x, cy: y, rx: 70, ry: 24 }));
    else g.append(el('svg:rect', { x: x - 72, y: y - 22, width: 144, height: 44, rx: 6 }));
    g.append(el('svg:text', { x, y: y - 3 }, label), el('svg:text', { x, y: y + 12, class: 'sub' }, sub));
    g.append(el('svg:title', {}, n.kind === 'thread' ? n.label + ' (' + n.sub + ')' : n.label + ' ' + n.sub));
    svg.append(g);
  }
}

function drawThreads(s) {
  const body = $('threads').tBodies[0]; body.replaceChildren();
  const pids = new Set(s.processes.map((p) => p.pid));
  const depth = (p) => { let d = 0; for (let q = p; q && pids.has(q.ppid) && d < 16; q = s.processes.find((x) => x.pid === q.ppid)) d++; return d; };
  for (const p of s.processes) {
    const tr = el('tr', { class: 'process', 'data-pid': p.pid });
    tr.append(el('td', {}, '\\u00a0'.repeat(2 * depth(p)) + p.pid), el('td', {}, p.name), el('td', {}, p.role), el('td', {}, cpu(p.cpuMs)), el('td'), el('td'));
    body.append(tr);
    for (const t of p.threads) {
      const row = el('tr', { class: 'thread', 'data-tid': t.tid });
      const holds = t.holds.map((h) => obj(h) + (h.permits !== undefined ? ' ×' + h.permits : '') + (h.stale ? ' (Thread returned)' : '')).join(', ');
      const waits = el('td');
      for (const w of t.waits) {
        const div = el('div', { class: 'wait' }, obj(w) + ' — ' + w.form + ' ' + w.op + ', ' + ago(s.time, w.since) + ((w.heldBy || []).length ? ' · held by ' + w.heldBy.map((h) => 'pid ' + h.pid + ' "' + h.name + '"').join(', ') : ''));
        if (w.line) div.append(' ', el('span', { class: 'code' }, w.line));
        waits.append(div);
      }
      row.append(el('td', {}, t.tid), el('td', {}, t.name), el('td', {}, t.role), el('td', {}, cpu(t.cpuMs)), el('td', {}, holds), waits);
      body.append(row);
    }
  }
}

function drawRows(id, rows) {
  const body = $(id).tBodies[0]; body.replaceChildren();
  if (rows.length === 0) { const tr = el('tr'); tr.append(el('td', { class: 'empty', colspan: 9 }, 'none')); body.append(tr); return; }
  for (const cells of rows) { const tr = el('tr'); for (const c of cells) tr.append(el('td', {}, c)); body.append(tr); }
}

function draw(s) {
  const threads = s.processes.reduce((n, p) => n + p.threads.length, 0);
  $('summary').textContent = s.processes.length + ' processes, ' + threads + ' threads, ' + s.deadlocks.length + ' deadlock' + (s.deadlocks.length === 1 ? '' : 's') + ' — ' + new Date(s.time).toLocaleTimeString();
  drawDeadlocks(s); drawGraph(s); drawThreads(s);
  drawRows('queues', s.processes.flatMap((p) => p.queues.map((q) => [q.name, q.kind, q.size + (q.maxsize ? ' / ' + q.maxsize : '') + (q.closed ? ' (closed)' : ''), q.getters, q.putters, p.pid])));
  drawRows('pools', s.processes.flatMap((p) => p.pools.map((q) => [q.name, q.kind, q.workers, q.busy, q.idle, q.backlog, q.done, q.failed, p.pid])));
  document.body.dataset.updated = String(s.time);
}

async function refresh() {
  const status = $('status');
  try {
    const r = await fetch('snapshot.json?token=' + encodeURIComponent(token), { cache: 'no-store' });
    if (!r.ok) throw new Error('HTTP ' + r.status);
    draw(await r.json());
    status.textContent = 'live, every second'; status.className = 'status';
  } catch (e) {
    status.textContent = 'disconnected (' + e.message + ')'; status.className = 'status down';
  }
}
refresh(); setInterval(refresh, 1000);
`
