/**
 * `skein demo`: the tour of examples (examples/tour.ts, compiled to
 * .build/examples and shipped in the package), in a process of its own.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { Command } from '../command.js'

const ROOT = new URL('../../../', import.meta.url)
const TOUR = new URL('.build/examples/tour.js', ROOT)

export default {
  name: 'demo',
  summary: "run the tour: every example of skein's course, or those whose name has one of the words",
  usage: 'skein demo [WORD…]',
  options: {},
  positionals: 'WORD…   run only the scenarios whose name contains one of the words (e.g. skein demo ticket cluster)',
  details: `Each scenario runs under a banner and is timed; a failed one is reported and the tour goes on; the
exit code is 1 if any failed. The cluster scenarios start a private redis-server (skipped with a line
when none is installed).`,
  async run({ positionals }) {
    if (!existsSync(TOUR)) {
      const clone = existsSync(new URL('examples/tour.ts', ROOT))
      process.stderr.write(clone
        ? 'skein demo: the examples are not compiled here: run `npm run demo` (it compiles them to .build/ first)\n'
        : `skein demo: the compiled examples are missing from this install (${fileURLToPath(TOUR)}): reinstall skein\n`)
      return 1
    }
    const child = spawn(process.execPath, [fileURLToPath(TOUR), ...positionals], { stdio: 'inherit' })
    return new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]))))
  },
} satisfies Command
