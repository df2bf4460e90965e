// Worker script for workerpool: the tiny task of bench/pool.ts.
const workerpool = require('workerpool')
workerpool.worker({ square: (x) => x * x })
