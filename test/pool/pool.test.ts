import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Pool, WorkerCrashedError } from '../../src/index.js'
import { forkServerUnavailable } from '../../src/process/forkserver.js'
import { add, commandLine, selfKill, square } from '../fixtures/pool-targets.js'
import { poolSuite } from './suite.js'

poolSuite('Pool', (o = {}) => new Pool({ processes: 2, ...o }))

describe('Pool startMethod', () => {
  test("'forkserver' and 'spawn': workers start that way, run tasks, and a crash is reported and replaced; a bad method is refused", async () => {
    for (const startMethod of ['forkserver', 'spawn'] as const) {
      const p = new Pool({ processes: 2, startMethod })
      const lines = await p.map(commandLine, [1, 2, 3, 4], { chunksize: 1 })
      // Where this Node cannot fork natively, 'forkserver' falls back to 'spawn'.
      const forked = startMethod === 'forkserver' && forkServerUnavailable() === undefined
      for (const line of lines) assert.match(line, forked ? /forkserver-main/ : /bootstrap/, startMethod)
      assert.deepEqual(await p.map(square, [1, 2, 3]), [1, 4, 9])
      await assert.rejects(p.apply(selfKill, []), (e) => e instanceof WorkerCrashedError && e.reason === 'killed by SIGKILL')
      assert.equal(await p.apply(add, [2, 2]), 4, 'the pool goes on')
      p.close()
      await p.join()
    }
    assert.throws(() => new Pool({ processes: 1, startMethod: 'fork' as never }), (e: Error) => e instanceof TypeError && /options.startMethod must be one of 'forkserver', 'spawn'/.test(e.message))
  })
})
