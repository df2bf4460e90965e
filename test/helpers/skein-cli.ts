/**
 * Runs the `skein` dispatcher in this process, with what it writes kept:
 * `main()` returns the exit code the executable would exit with.
 *
 *   const r = await skeinHere(main, ['status', '--redis', url])   // { status, stdout, stderr }
 */
import type { Output } from '../../src/cli/command.js'

export async function skeinHere(main: (argv: string[], io: Output) => Promise<number>, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const status = await main(args, { out: { write: (text: string) => { stdout += text } }, err: { write: (text: string) => { stderr += text } } })
  return { status, stdout, stderr }
}
