/** The Manager and the shared collections it makes: SharedDict, SharedList, Namespace. */
export { Manager } from './manager.js'
export { SharedDict, type SharedDictOptions, type DictInit } from './shared-dict.js'
export { SharedList, type SharedListOptions } from './shared-list.js'
export { Namespace } from './namespace.js'
export type { Key as SharedDictKey } from './record.js'
