/**
 * The `for await` of queues and pipes: yields what `read()` gives until it
 * throws EOFError (closed and drained), which ends the loop quietly.
 */
import { EOFError } from '../errors.js'

export async function* untilEOF<T>(read: () => Promise<T>): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let item: T
    try {
      item = await read()
    } catch (error) {
      if (error instanceof EOFError) return
      throw error
    }
    yield item
  }
}
