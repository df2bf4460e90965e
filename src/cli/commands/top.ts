/**
 * `skein top`: every process and thread of this user that uses skein — what
 * each holds and waits for, queues, pools, deadlocks — redrawn every second,
 * once, as JSON, or served to a browser (src/observe/top/).
 */
import { stringOf, UsageError, type Command } from '../command.js'

export default {
  name: 'top',
  summary: 'every process and thread using skein: what each holds and waits for, queues, pools, deadlocks',
  usage: 'skein top [--pid PID] [--once] [--json] [--web]',
  options: {
    pid: { type: 'string', value: 'PID', help: 'only process PID and its descendants' },
    once: { type: 'boolean', help: 'print one frame (or one JSON snapshot) and exit' },
    json: { type: 'boolean', help: 'JSON instead of text: one snapshot per line (with --once: one, pretty)' },
    web: { type: 'boolean', help: 'serve the view, with the wait-for graph, on 127.0.0.1 (a random port and a token in the URL, printed); Ctrl-C stops' },
  },
  details: 'The terminal view redraws every second (q or Ctrl-C quits). Deadlocks come first. The JSON schema is in docs/observability.md.',
  async run(args) {
    const given = stringOf(args, 'pid')
    const pid = given === undefined ? undefined : Number(given)
    if (given !== undefined && (!/^\d+$/.test(given) || !Number.isSafeInteger(pid) || pid! < 1)) {
      throw new UsageError(`--pid needs a process id (a positive integer), got ${JSON.stringify(given)}`)
    }
    const once = args.values.once === true
    const json = args.values.json === true
    const web = args.values.web === true
    if (web && (once || json)) throw new UsageError('--web serves the live view: it does not combine with --once or --json')
    const { top } = await import('../../observe/top/command.js')
    await top({ pid, once, json, web })
    return 0
  },
} satisfies Command
