/**
 * What a command's code gets when it runs, and the commander action that
 * loads that code: each command's module (and the SDK under it) is imported
 * only when the command runs, so `ima --help` loads the option tree alone.
 */
import type { Command } from 'commander'
import { CliUsageError } from './errors.js'
import { COMMAND_FLAGS, REFERENCE_FLAGS } from './flag-names.js'
import type { CliIO } from './io.js'
import { wordsFor } from './messages.js'
import type { ReportOptions } from './report-error.js'

/** What the command tree shares with `main`. */
export interface CliEnv {
  io: CliIO
  /** How `main` reports an error: from the command line at first, then from the running command's parsed options. */
  report: ReportOptions
  /** The command that ran (`ima generate`, `ima prefs get`), for the log's outcome line. */
  command?: string
}

/** What a command's `run` gets. */
export interface CommandInput<Options> {
  /** Its options, as declared in `options.ts`, including those given before the command name. */
  options: Options
  /** Its positional words, in order: a prompt's words, a task id, a model name. */
  words: string[]
  io: CliIO
}

/** A command's code: what its module exports for the tree to load. */
export type CommandRun<Options> = (input: CommandInput<Options>) => Promise<void>

/** `ima prefs get`: the command's name with its parents'. */
function commandPath(command: Command): string {
  const names: string[] = []
  for (let current: Command | null = command; current; current = current.parent) names.unshift(current.name())
  return names.join(' ')
}

/**
 * The command's options, with those given before its name. `ima` reads its
 * own options (the reference flags) up to the command name, so in
 * `ima --api-key K generate …` the key was parsed by `ima`: it is handed on
 * when the command takes that option too (a value after the name wins) and
 * refused when it does not.
 */
function withLeadingOptions(command: Command): Record<string, unknown> {
  const options: Record<string, unknown> = { ...command.opts() }
  // The language may itself have come before the name: read it first, for the refusal below.
  let language: unknown = options.language
  for (let parent = command.parent; parent && language === undefined; parent = parent.parent) language = parent.getOptionValue('language')
  for (let parent = command.parent; parent; parent = parent.parent) {
    for (const option of parent.options) {
      const key = option.attributeName()
      if (parent.getOptionValueSource(key) !== 'cli') continue
      if (!command.options.some((own) => own.attributeName() === key)) {
        const { message, hint } = wordsFor(language === 'zh' ? 'zh' : 'en').notAnOptionOf(option.long ?? option.flags, commandPath(command))
        throw new CliUsageError(message, hint)
      }
      if (command.getOptionValueSource(key) !== 'cli') options[key] = parent.getOptionValue(key)
    }
  }
  return options
}

/** A text option's value, trimmed, when it has one. */
function textOption(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/**
 * How errors of a command are reported: its `--language`, `--verbose`, the
 * key to keep out of every line, the flags its messages name (the reference
 * flags for `ima` itself), its input images and its hosts.
 */
function reportOptionsOf(command: Command, options: Record<string, unknown>, io: CliIO): ReportOptions {
  const images = options.inputImages ?? options.image
  const baseURL = textOption(options.baseUrl) ?? textOption(io.env.IMA_BASE_URL)
  const uploadBaseURL = textOption(options.uploadBaseUrl) ?? textOption(io.env.IMA_IM_BASE_URL)
  return {
    language: options.language === 'zh' ? 'zh' : 'en',
    verbose: options.verbose === true,
    apiKey: typeof options.apiKey === 'string' ? options.apiKey : io.env.IMA_API_KEY,
    flags: command.parent ? COMMAND_FLAGS : REFERENCE_FLAGS,
    inputImages: Array.isArray(images) ? images.filter((image): image is string => typeof image === 'string') : [],
    ...(baseURL !== undefined ? { baseURL } : {}),
    ...(uploadBaseURL !== undefined ? { uploadBaseURL } : {}),
  }
}

/**
 * A commander action that imports the command's code when it runs. From
 * then on errors are reported in the command's `--language`, with
 * `--verbose`, with its key kept out of every line and in its flags' words.
 *
 * @param load - imports the command's module and picks its `run`.
 */
export function lazyAction<Options>(env: CliEnv, load: () => Promise<CommandRun<Options>>): (...params: unknown[]) => Promise<void> {
  return async (...params) => {
    // commander passes the positional values, the options, then the command itself.
    const command = params.at(-1) as Command
    env.command = commandPath(command)
    const options = withLeadingOptions(command)
    env.report = reportOptionsOf(command, options, env.io)
    const words = command.processedArgs.flat().filter((word): word is string => typeof word === 'string')
    const run = await load()
    // commander checked each value against its declaration in options.ts.
    await run({ options: options as Options, words, io: env.io })
  }
}
