// The idle sweep (src/shm/sweep.ts) collects in a thread that went idle
// holding attached structs, and not in one that was only busy: a check that
// came due during a long synchronous stretch (a putSync loop, often a child's
// last work before it exits) must not force a full collection when the
// stretch ends.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Lock, Process, RawArray, Thread } from '../../src/index.js'
import { busyThenIdle } from './reclaim-targets.js'

for (const level of ['thread', 'process'] as const) {
  test(`a ${level} busy past the sweep's period does not collect when it ends, and collects once idle`, async () => {
    const lock = new Lock()
    const counts = new RawArray('i', 2)
    // Idle 700 ms (the first check, at 500 ms, sees the attach and re-arms),
    // busy 1.2 s (the next check comes due), 150 ms quiet (a re-armed check
    // is 500 ms away), then 2 s idle (the sweep must have run by then).
    const args = [lock, 700, 1200, 150, 2000, counts]
    const child = level === 'thread' ? new Thread({ target: busyThenIdle, args }) : new Process({ target: busyThenIdle, args })
    await child.start()
    await child.join(60_000)
    assert.equal(child.exitCode, 0)
    assert.equal(counts.get(0), 0, 'a forced collection right after the busy stretch')
    assert.ok(counts.get(1)! >= 1, 'no forced collection once idle: the sweep did not run')
  })
}
