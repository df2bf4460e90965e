// The MessagePort peer of the thread → thread queue bench: a worker that,
// once the gate opens, posts `n` small ints on the port it was given.
import { workerData } from 'node:worker_threads'

const { port, gate, n } = workerData
Atomics.wait(gate, 0, 0)
for (let i = 0; i < n; i++) port.postMessage(i)
port.close()
