/**
 * What a `skein` command is: a name, a line of help, its options (in
 * `util.parseArgs` form, each with its own help line) and a `run`. Each
 * command is one file in `commands/` exporting one as its default; the
 * dispatcher (main.ts) finds them there, so adding a command is adding a
 * file. A command's module must load fast: it imports what it needs inside
 * `run`, so `--help` and usage errors answer at once.
 */
import { parseArgs } from 'node:util'

/** One option: `--name VALUE` (string) or `--name` (boolean), with its help. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  /** The value's name in the help (`URL`, `N`…), for string options. */
  value?: string
  /** One line of help. */
  help: string
  /** The option must be given. */
  required?: boolean
}

/** What `run` gets: the options given (strings or true) and the words after them. */
export interface CommandArgs {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
}

/**
 * A `skein` command.
 *
 * @example
 * // src/cli/commands/hello.ts — `skein hello --name ada`
 * import type { Command } from '../command.js'
 * export default {
 *   name: 'hello', summary: 'say hello', usage: 'skein hello [--name NAME]',
 *   options: { name: { type: 'string', value: 'NAME', help: 'whom to greet' } },
 *   async run({ values }) { console.log(`hello ${values.name ?? 'world'}`); return 0 },
 * } satisfies Command
 */
export interface Command {
  /** The word after `skein`. */
  name: string
  /** One line, for `skein --help`. */
  summary: string
  /** The synopsis, e.g. `skein worker --redis URL --pool NAME [options]`. */
  usage: string
  /** Its options by long name (`--help` is added to every command). */
  options: Record<string, OptionSpec>
  /** Help for the words after the options; absent: none are taken. */
  positionals?: string
  /** Paragraphs for `skein help <command>` after the options. */
  details?: string
  /** Runs the command; resolves to the process's exit code. */
  run(args: CommandArgs): Promise<number>
}

/** A wrong invocation: the dispatcher prints it with the command's usage and exits 2. */
export class UsageError extends Error {}

/** The help of `command`: synopsis, summary, options, details. */
export function helpOf(command: Command): string {
  const rows = Object.entries(command.options).map(([name, o]) => [`${o.short === undefined ? '' : `-${o.short}, `}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, o.help] as const)
  rows.push(['-h, --help', 'this help'])
  const width = Math.max(...rows.map(([left]) => left.length)) + 3
  const lines = [`usage: ${command.usage}`, '', `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`, '', 'options:', ...rows.map(([left, help]) => `  ${left.padEnd(width)}${help}`)]
  if (command.positionals !== undefined) lines.push('', command.positionals)
  if (command.details !== undefined) lines.push('', command.details)
  return lines.join('\n')
}

/** Parses `argv` for `command` (util.parseArgs, strict); UsageError for anything it does not take. */
export function parseCommandArgs(command: Command, argv: string[]): CommandArgs & { help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } }
  for (const [name, o] of Object.entries(command.options)) options[name] = o.short === undefined ? { type: o.type } : { type: o.type, short: o.short }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: command.positionals !== undefined })
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  if (values.help === true) return { values, positionals: parsed.positionals, help: true }
  for (const [name, o] of Object.entries(command.options)) {
    if (o.required === true && values[name] === undefined) throw new UsageError(`--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''} is required`)
  }
  return { values, positionals: parsed.positionals, help: false }
}

/** A string option's value (undefined when not given). */
export function stringOf(args: CommandArgs, name: string): string | undefined {
  const v = args.values[name]
  return typeof v === 'string' ? v : undefined
}
