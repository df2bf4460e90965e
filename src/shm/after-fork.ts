/**
 * After-fork hooks: a fork server child starts as a copy of the server's
 * memory, so module state that names "this process" (a cached tid, say) must
 * be refreshed there. Modules register a hook; the child runs them all first.
 * It lives at the bottom layer, beside the substrate it mostly refreshes
 * (arena, free lists), so shm imports nothing above it; process/fork-child.ts
 * runs the hooks. Kept on globalThis so every loaded copy of skein (src and
 * dist) is covered.
 */
const kHooks = Symbol.for('skein.process.afterFork')
const g = globalThis as unknown as Record<symbol, Array<() => void> | undefined>

/** Registers `hook` to run in each fork server child, before anything else. */
export function afterFork(hook: () => void): void {
  (g[kHooks] ??= []).push(hook)
}

/** Runs the registered hooks (in the child, right after the fork). */
export function runAfterForkHooks(): void {
  for (const hook of g[kHooks] ?? []) hook()
}
