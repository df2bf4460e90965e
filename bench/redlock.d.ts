/** The part of redlock v4 (no bundled types) that bench/cluster-lock.ts uses. */
declare module 'redlock' {
  interface Lock {
    unlock(): Promise<void>
  }
  interface RedlockOptions {
    retryCount?: number
    retryDelay?: number
    driftFactor?: number
  }
  export default class Redlock {
    constructor(clients: unknown[], options?: RedlockOptions)
    lock(resource: string, ttl: number): Promise<Lock>
  }
}
