import { ThreadPool } from '../../src/index.js'
import { poolSuite } from './suite.js'

poolSuite('ThreadPool', (o = {}) => new ThreadPool({ threads: 2, ...o }))
