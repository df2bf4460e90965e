#!/usr/bin/env node
/**
 * The `skein` executable: `skein --help` lists the commands (src/cli/).
 *
 *   npx skein worker --redis redis://10.0.0.5:6379 --pool work
 */
import { main } from './cli/main.js'

main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`skein: ${(error as Error)?.message ?? String(error)}\n`)
  process.exit(1)
})
