/**
 * The `ima` command: parse with commander (`program.ts`), run the command,
 * and turn every outcome into an exit code (0 ok, 1 failure, 2 usage, 130
 * interrupted) with errors reported in ima's words.
 */
import { CommanderError, type Command } from 'commander'
import type { CliEnv } from './command.js'
import { CliUsageError, EXIT, ReportedError } from './errors.js'
import { processIO, type CliIO } from './io.js'
import { createProgram } from './program.js'

/** commander's outcomes that are not errors: help or the version was printed. */
const PRINTED = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version'])

/**
 * commander's message ("error: unknown option '--promt'\n(Did you mean
 * --prompt?)") in ima's words: the problem as the message, the suggestion
 * (or where the option belongs) as the next step.
 */
function usageError(error: CommanderError, program: Command, argv: readonly string[]): CliUsageError {
  const [problem = '', ...rest] = error.message.replace(/^error: /, '').split('\n')
  const unknown = /^unknown (option|command) '(.+)'$/.exec(problem)
  if (!unknown) return new CliUsageError(`${problem.charAt(0).toUpperCase()}${problem.slice(1)}`)
  const [, kind, name = ''] = unknown
  const suggestion = /\(Did you mean (.+)\?\)/.exec(rest.join(' '))?.[1]
  const hint = suggestion
    ? `Did you mean ${suggestion}? (\`ima --help\` lists the ${kind}s)`
    : kind === 'option' ? optionOfLaterCommand(program, argv, name) : undefined
  return new CliUsageError(`Unknown ${kind} ${name}`, hint)
}

/**
 * Where an option only a command takes belongs, when it came before that
 * command's name (`ima --json models`): `ima` itself reads only its own
 * options (the reference flags) there.
 */
function optionOfLaterCommand(program: Command, argv: readonly string[], flag: string): string | undefined {
  const later = argv.slice(argv.findIndex((token) => token.split('=')[0] === flag) + 1)
  const command = program.commands.find((candidate) => later.includes(candidate.name()))
  if (!command?.options.some((option) => option.long === flag)) return undefined
  return `${flag} is an option of ima ${command.name()}: put it after the command name (ima ${command.name()} … ${flag})`
}

/** How to report an error found before any command's options were parsed: read off the raw command line. */
function reportOptionsOf(argv: readonly string[], io: CliIO): CliEnv['report'] {
  const language = argv.some((token, index) => token === '--language=zh' || (token === '--language' && argv[index + 1] === 'zh')) ? 'zh' : 'en'
  return { language, verbose: argv.includes('--verbose'), apiKey: io.env.IMA_API_KEY }
}

/**
 * Runs `ima` with `argv` (without node and the script) and returns the exit
 * code. Nothing here calls `process.exit`, so it can run in-process too.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const env: CliEnv = { io, report: reportOptionsOf(argv, io) }
  const program = createProgram(env)
  try {
    // Nothing at all: the help (the reference flags need at least --prompt).
    await program.parseAsync(argv.length === 0 ? ['--help'] : [...argv], { from: 'user' })
    return EXIT.ok
  } catch (error) {
    if (error instanceof ReportedError) return error.exitCode
    // The help of a command group run without its command (`ima prefs`) went to stderr: a usage error.
    if (error instanceof CommanderError && PRINTED.has(error.code)) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    // Loaded only for an error: it brings the SDK's error tables.
    const { reportError } = await import('./report-error.js')
    return reportError(io, error instanceof CommanderError ? usageError(error, program, argv) : error, env.report)
  }
}
