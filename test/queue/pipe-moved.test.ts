// Both ends of a one-way pipe sent to two children: this process keeps no
// end, yet the memory must outlive a collection here until the children
// have attached it (a moved end keeps its rings while the Connection object
// lives, and a Process keeps its args).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Pipe, Process, RawValue } from '../../src/index.js'
import { recvSum, sendRange } from '../fixtures/queue-targets.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

test('a pipe whose both ends moved to children survives a collection in the parent', async () => {
  for (let round = 0; round < 5; round++) {
    const [rx, tx] = Pipe<number>(false)
    const got = new RawValue('i', 0)
    const reader = new Process({ target: recvSum, args: [rx, 100, got] })
    const writer = new Process({ target: sendRange, args: [tx, 100] })
    await reader.start()
    await writer.start()
    gc() // before the children attach, most of the time
    gc()
    await reader.join()
    await writer.join()
    assert.equal(reader.exitCode, 0, `round ${round}: the reader could not attach or read`)
    assert.equal(writer.exitCode, 0, `round ${round}: the writer could not attach or send`)
    assert.equal(got.value, 5050)
  }
})
