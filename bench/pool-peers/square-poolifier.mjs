// Worker module for poolifier: the tiny task of bench/pool.ts.
import { ThreadWorker } from 'poolifier'
export default new ThreadWorker((x) => x * x)
