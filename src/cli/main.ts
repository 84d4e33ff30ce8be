/**
 * The `ima` command: argv pre-pass, dispatch through citty, help, and exit
 * codes (0 ok, 1 failure, 2 usage, 130 interrupted).
 */
import { renderUsage, runCommand, type ArgsDef, type CommandDef, type SubCommandsDef } from 'citty'
import { SDK_VERSION } from '../version.js'
import { gatherFlags } from './argv.js'
import { ReportedError, type CliEnv } from './command.js'
import { COMPAT_ARGS, compatCommand } from './commands/compat.js'
import { generateCommand } from './commands/generate.js'
import { modelsCommand } from './commands/models.js'
import { prefsCommand } from './commands/prefs.js'
import { quoteCommand } from './commands/quote.js'
import { serveCommand } from './commands/serve.js'
import { tasksCommand } from './commands/tasks.js'
import { waitCommand } from './commands/wait.js'
import { rejectUnknownOptions } from './check-options.js'
import { HIDDEN_ARGS } from './common.js'
import { CliUsageError, EXIT } from './errors.js'
import { processIO, type CliIO } from './io.js'
import { reportError } from './report-error.js'

/** The command tree. With no command name, the reference script's flags (`compat`, hidden). */
export function createCli(env: CliEnv): CommandDef {
  return {
    meta: {
      name: 'ima',
      version: SDK_VERSION,
      description: 'Generate images with the IMA Open API. With no command, ima takes the reference script\'s flags (docs/cli.md)',
    },
    args: COMPAT_ARGS as ArgsDef,
    subCommands: {
      generate: generateCommand(env),
      models: modelsCommand(env),
      quote: quoteCommand(env),
      wait: waitCommand(env),
      tasks: tasksCommand(env),
      prefs: prefsCommand(env),
      serve: serveCommand(env),
      compat: compatCommand(env) as CommandDef,
    },
    default: 'compat',
  }
}

function subCommandsOf(command: CommandDef): SubCommandsDef | undefined {
  return command.subCommands as SubCommandsDef | undefined
}

/** Every option of the tree that takes a value, so its value is never mistaken for a command name. */
function valueFlags(command: CommandDef, found = new Set<string>()): Set<string> {
  for (const [name, def] of Object.entries((command.args ?? {}) as ArgsDef)) {
    if (def.type === 'string' || def.type === 'enum') found.add(name)
  }
  for (const sub of Object.values(subCommandsOf(command) ?? {})) valueFlags(sub as CommandDef, found)
  return found
}

/**
 * Moves command names to the front, so options may come before them
 * (`ima --base-url … generate "…"`): citty hands a command only what
 * follows its name.
 */
function commandsFirst(argv: readonly string[], command: CommandDef, flags: Set<string>): { argv: string[]; chain: CommandDef[]; names: string[] } {
  const subCommands = subCommandsOf(command)
  if (subCommands) {
    for (let index = 0; index < argv.length; index += 1) {
      const token = argv[index] as string
      if (token === '--') break
      if (token.startsWith('-') && token !== '-') {
        if (!token.includes('=') && flags.has(token.replace(/^-{1,2}/, ''))) index += 1
        continue
      }
      const sub = subCommands[token] as CommandDef | undefined
      if (!sub || token === 'compat') break
      const inner = commandsFirst([...argv.slice(0, index), ...argv.slice(index + 1)], sub, flags)
      return { argv: [token, ...inner.argv], chain: [command, ...inner.chain], names: [token, ...inner.names] }
    }
  }
  return { argv: [...argv], chain: [command], names: [] }
}

/** `--help` for a command, without the hidden tuning options. */
async function helpText(chain: CommandDef[], names: string[]): Promise<string> {
  const command = chain.at(-1) as CommandDef
  const args = Object.fromEntries(Object.entries((command.args ?? {}) as ArgsDef).filter(([name]) => !HIDDEN_ARGS.has(name)))
  const shown: CommandDef = { ...command, args, meta: { ...(command.meta as object), name: ['ima', ...names].join(' ') } }
  return renderUsage(shown)
}

const ANSI = /\u001B\[[0-9;]*m/g
const FLAG = /^--?[a-z]/i

/**
 * `node:util` parseArgs (under citty) takes the next token as a string
 * option's value even when it is another flag: `--out --json` would save to a
 * file named "--json". A value flag followed by a flag (or by nothing) is
 * given an explicit empty value instead; `--flag=--x` still passes a value
 * that starts with dashes.
 */
function explicitEmptyValues(argv: readonly string[], flags: Set<string>): string[] {
  const end = argv.indexOf('--') === -1 ? argv.length : argv.indexOf('--')
  return argv.map((token, index) => {
    if (index >= end || !token.startsWith('--') || token.includes('=') || !flags.has(token.slice(2))) return token
    const next = argv[index + 1]
    return index + 1 >= end || next === undefined || FLAG.test(next) ? `${token}=` : token
  })
}

/**
 * Runs `ima` with `argv` (without node and the script) and returns the exit
 * code. Nothing here calls `process.exit`, so it can run in-process too.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const language = argv.includes('zh') && argv.some((token) => token === '--language' || token === '--language=zh') ? 'zh' : 'en'
  try {
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      io.stdout.write(`${SDK_VERSION}\n`)
      return EXIT.ok
    }
    const gathered = gatherFlags(argv)
    const root = createCli({ io, gathered: gathered.values })
    const flags = valueFlags(root)
    const ordered = commandsFirst(explicitEmptyValues(gathered.argv, flags), root, flags)
    const beforeDashes = ordered.argv.indexOf('--') === -1 ? ordered.argv : ordered.argv.slice(0, ordered.argv.indexOf('--'))
    if (argv.length === 0 || beforeDashes.includes('--help') || beforeDashes.includes('-h')) {
      const help = await helpText(ordered.chain, ordered.names)
      // citty colours help unless NO_COLOR/CI is set; a pipe or a file wants plain text.
      io.stdout.write(`${(io.stdout as { isTTY?: boolean }).isTTY ? help : help.replace(ANSI, '')}\n`)
      return EXIT.ok
    }
    // No command name: the reference flags. A typo there (`--promt x`) must read as an unknown
    // option, not as citty's "unknown command x".
    if (ordered.names.length === 0) rejectUnknownOptions(ordered.argv, COMPAT_ARGS)
    await runCommand(root, { rawArgs: ordered.argv })
    return EXIT.ok
  } catch (error) {
    if (error instanceof ReportedError) return error.exitCode
    // citty's own parse errors (unknown command, bad enum value): the command line is wrong.
    const usage = error instanceof Error && error.name === 'CLIError' ? new CliUsageError(error.message.replace(ANSI, '')) : error
    return reportError(io, usage, { language, verbose: argv.includes('--verbose'), apiKey: io.env.IMA_API_KEY })
  }
}
