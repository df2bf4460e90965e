/** Runs `fn` with console.log silenced (children's output still shows): the examples' tests check results, not their prose. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log
  console.log = () => {}
  try {
    return await fn()
  } finally {
    console.log = log
  }
}
