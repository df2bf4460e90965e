// What every role gets besides its shared objects.
export interface RoleOptions {
  /** Iterations (hand-offs, increments, items, generations) of this role. */
  n: number
  /** Every wait's timeout (ms): a lost wake-up fails here instead of hanging. */
  timeout: number
  /** Blocking forms (waitSync, acquireSync…) or async ones. */
  sync: boolean
}

/** A few hundred ns of work between a read and a write, so a preemption can land inside. */
export function dawdle(): void {
  let x = 0
  for (let i = 0; i < 50; i++) x += i
  if (x < 0) throw new Error('unreachable')
}
