/**
 * The CLI's own errors and exit codes. SDK errors keep their classes; these
 * cover what only a command line can get wrong (flags, the key's absence).
 * Their words come from `messages.ts`, in the command's `--language`.
 */
import type { ImaLanguage } from '../http/transport-options.js'
import { wordsFor, type Sentence } from './messages.js'

/** Exit codes of `ima`, as documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** Any failure: the service, the network, a refused parameter, a missing key. */
  failure: 1,
  /** The command line itself is wrong: unknown option or command, a missing argument. */
  usage: 2,
  /** Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const

/** A failure of the CLI itself, with the words to show and what to do next. */
export class CliError extends Error {
  override readonly name: string = 'CliError'
  /** What to do next, shown under the message. */
  readonly hint: string | undefined
  readonly exitCode: number

  constructor(message: string, options: { hint?: string; exitCode?: number } = {}) {
    super(message)
    this.hint = options.hint
    this.exitCode = options.exitCode ?? EXIT.failure
  }
}

/** Thrown once an error has been written to stderr (a detached create's outcome): `main` only sets the exit code. */
export class ReportedError extends Error {
  override readonly name = 'ReportedError'

  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`)
  }
}

/**
 * A wrong command line: exit code 2. Without a hint, the report points to
 * `--help` in the report's language.
 */
export class CliUsageError extends CliError {
  override readonly name = 'CliUsageError'

  constructor(message: string, hint?: string) {
    super(message, { ...(hint !== undefined ? { hint } : {}), exitCode: EXIT.usage })
  }
}

/** No API key anywhere: exit code 1, like the reference script. */
export class MissingApiKeyError extends CliError {
  override readonly name = 'MissingApiKeyError'

  constructor(language?: ImaLanguage) {
    const { message, hint } = wordsFor(language).missingKey
    super(message, { hint })
  }
}

/** Ctrl-C, carrying the task to resume when there is one. */
export class InterruptedError extends CliError {
  override readonly name = 'InterruptedError'
  readonly taskId: string | undefined

  /**
   * @param taskId - the task known when the abort came, if any.
   * @param words - the message and next step, when the default ones do not fit (a save, several tasks).
   * @param language - the language of the default words.
   */
  constructor(taskId: string | undefined, words?: Sentence, language?: ImaLanguage) {
    const { message, hint } = words ?? wordsFor(language).interrupted(taskId)
    super(message, { hint, exitCode: EXIT.interrupted })
    this.taskId = taskId
  }
}

/**
 * A task succeeded (and is paid for) but its picture could not be saved:
 * the download or the write failed. Nothing needs creating again.
 */
export class SaveFailedError extends CliError {
  override readonly name = 'SaveFailedError'
  readonly taskId: string
  readonly url: string

  constructor(options: { taskId: string; url: string; target: string; cause: unknown; language?: ImaLanguage }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause)
    const { message, hint } = wordsFor(options.language).saveFailed(options.taskId, options.target, reason, options.url)
    super(message, { hint })
    this.taskId = options.taskId
    this.url = options.url
    this.cause = options.cause
  }
}
