/**
 * The `skein` command line: a small dispatcher over the commands in
 * `commands/` (one file each, found by listing the folder, so adding a
 * command is adding a file). `skein --help`, `skein help <command>`,
 * `skein <command> --help`, `skein --version`; bare `skein` prints the
 * usage and exits 2, as does a wrong invocation (with the command's usage).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { helpOf, parseCommandArgs, UsageError, type Command } from './command.js'

const COMMANDS = new URL('./commands/', import.meta.url)
/** Under tsx the sources run (.ts); installed, the compiled files (.js). */
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js'

/** The command names found in `commands/`, sorted. */
function commandNames(): string[] {
  return readdirSync(COMMANDS).filter((f) => f.endsWith(EXT) && !f.endsWith('.d.ts')).map((f) => f.slice(0, -EXT.length)).sort()
}

async function load(name: string): Promise<Command> {
  const module = await import(new URL(`${name}${EXT}`, COMMANDS).href) as { default: Command }
  return module.default
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

async function usage(): Promise<string> {
  const commands = await Promise.all(commandNames().map(load))
  const width = Math.max(...commands.map((c) => c.name.length)) + 3
  return [
    'usage: skein <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'skein help <command>   (or skein <command> --help): its options',
    'skein --version        the version of skein',
  ].join('\n')
}

function say(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`${text}\n`)
}

/**
 * Runs `skein` with `argv` (the words after it); resolves to the exit code:
 * 0 done, 1 the command failed, 2 a wrong invocation.
 *
 * @example process.exitCode = await main(['status', '--redis', 'redis://127.0.0.1:6379'])
 */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined) {
    say(process.stderr, await usage())
    return 2
  }
  if (first === '--help' || first === '-h') {
    say(process.stdout, await usage())
    return 0
  }
  if (first === '--version' || first === '-v') {
    say(process.stdout, version())
    return 0
  }
  const names = commandNames()
  if (first === 'help') {
    if (rest.length === 0) {
      say(process.stdout, await usage())
      return 0
    }
    if (!names.includes(rest[0]!)) return unknown(rest[0]!)
    say(process.stdout, helpOf(await load(rest[0]!)))
    return 0
  }
  if (!names.includes(first)) return unknown(first)
  const command = await load(first)
  try {
    const args = parseCommandArgs(command, rest)
    if (args.help) {
      say(process.stdout, helpOf(command))
      return 0
    }
    return await command.run(args)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    say(process.stderr, `skein ${command.name}: ${error.message}\n\n${helpOf(command)}`)
    return 2
  }
}

function unknown(word: string): number {
  const known = commandNames()
  say(process.stderr, `skein: ${word.startsWith('-') ? 'unknown option' : 'unknown command'} ${JSON.stringify(word)}; the commands are ${known.join(', ')} (skein --help)`)
  return 2
}
