/** Processes: Process, its lifecycle helpers, and target location. */
export { Process, activeChildren, type ProcessOptions } from './process.js'
export { currentProcess, parentProcess, cpuCount, isMainProcess, type ProcessInfo } from '../runtime/context.js'
export { describeFunction, loadFunction, type FunctionRef } from '../runtime/locate.js'
export { setStartMethod, getStartMethod, type StartMethod } from './method.js'
