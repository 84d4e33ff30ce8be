/**
 * The `ima` command: parse with commander (`program.ts`), run the command,
 * and turn every outcome into an exit code (0 ok, 1 failure, 2 usage, 130
 * interrupted) with errors reported in ima's words.
 */
import { CommanderError, type Command } from 'commander'
import type { ImaLanguage } from '../http/transport-options.js'
import type { CliEnv } from './command.js'
import { CliUsageError, EXIT, ReportedError } from './errors.js'
import { processIO, type CliIO } from './io.js'
import { wordsFor, type CliWords } from './messages.js'
import { createProgram } from './program.js'
import { closestName } from '../internal/did-you-mean.js'

/** commander's outcomes that are not errors: help or the version was printed. */
const PRINTED = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version'])

/**
 * commander's message ("error: unknown option '--promt'\n(Did you mean
 * --prompt?)") in ima's words: the problem as the message, the suggestion
 * (or where the option belongs) as the next step.
 */
function usageError(error: CommanderError, program: Command, argv: readonly string[], language: ImaLanguage): CliUsageError {
  const words = wordsFor(language)
  const [problem = '', ...rest] = error.message.replace(/^error: /, '').split('\n')
  const unknown = /^unknown (option|command) '(.+)'$/.exec(problem)
  // commander's other sentences (a missing value, a value outside the choices) name the flag already; they stay as commander writes them.
  if (!unknown) return new CliUsageError(`${problem.charAt(0).toUpperCase()}${problem.slice(1)}`)
  const [, kindText, name = ''] = unknown
  const kind = kindText === 'command' ? 'command' : 'option'
  const suggestion = /\(Did you mean (.+)\?\)/.exec(rest.join(' '))?.[1]
  const hint = suggestion ? words.didYouMean(suggestion, kind) : kind === 'option' ? optionOfLaterCommand(program, argv, name, words) : undefined
  return new CliUsageError(kind === 'command' ? words.unknownCommand(name) : words.unknownOption(name), hint)
}

/**
 * Where an option only a command takes belongs, when it came before that
 * command's name (`ima --json models`): `ima` itself reads only its own
 * options (the reference flags) there.
 */
function optionOfLaterCommand(program: Command, argv: readonly string[], flag: string, words: CliWords): string | undefined {
  const later = argv.slice(argv.findIndex((token) => token.split('=')[0] === flag) + 1)
  const command = program.commands.find((candidate) => later.includes(candidate.name()))
  if (!command?.options.some((option) => option.long === flag)) return undefined
  return words.optionOfLaterCommand(flag, command.name())
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
  const startedAt = Date.now()
  const { exitCode, error } = await runProgram(program, argv, env)
  // Only runs that logged (those that called the service) get an outcome line in the skills' log.
  if (io.log.opened) {
    const fields = { command: env.command ?? 'ima', exitCode, elapsedMs: Date.now() - startedAt }
    if (exitCode === EXIT.ok) io.log.info('ima command done', fields)
    else io.log.warn('ima command failed', { ...fields, error: errorFields(error) })
  }
  // The log lines are appended in the background: they must be on disk before the process exits.
  await io.log.flush()
  return exitCode
}

/** An error's class and code for the log: never its message, which may quote what was typed. */
function errorFields(error: unknown): { name: string; code?: string | number } | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { name, code } = error as { name?: unknown; code?: unknown }
  return { name: typeof name === 'string' ? name : 'Error', ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) }
}

/** `ima help nope`: commander prints the whole help and exits 2 without a word on `nope`; said as for `ima nope`. */
function refuseHelpOfUnknownCommand(program: Command, argv: readonly string[]): void {
  const asked = argv[0] === 'help' ? argv[1] : undefined
  if (asked === undefined || asked.startsWith('-')) return
  const names = program.commands.flatMap((command) => [command.name(), ...command.aliases()])
  if (names.includes(asked)) return
  const meant = closestName(asked, names)
  throw new CommanderError(1, 'commander.unknownCommand', `error: unknown command '${asked}'${meant ? `\n(Did you mean ${meant}?)` : ''}`)
}

/** Parses and runs the command; every outcome becomes an exit code, errors reported on stderr. */
async function runProgram(program: Command, argv: readonly string[], env: CliEnv): Promise<{ exitCode: number; error?: unknown }> {
  try {
    refuseHelpOfUnknownCommand(program, argv)
    // Nothing at all: the help (the reference flags need at least --prompt).
    await program.parseAsync(argv.length === 0 ? ['--help'] : [...argv], { from: 'user' })
    return { exitCode: EXIT.ok }
  } catch (error) {
    if (error instanceof ReportedError) return { exitCode: error.exitCode, error }
    // The help of a command group run without its command (`ima prefs`) went to stderr: a usage error.
    if (error instanceof CommanderError && PRINTED.has(error.code)) return { exitCode: error.exitCode === 0 ? EXIT.ok : EXIT.usage }
    // Loaded only for an error: it brings the SDK's error tables.
    const { reportError } = await import('./report-error.js')
    const reported = error instanceof CommanderError ? usageError(error, program, argv, env.report.language) : error
    return { exitCode: reportError(env.io, reported, env.report), error: reported }
  }
}
