/**
 * The CLI's own errors and exit codes. SDK errors keep their classes; these
 * cover what only a command line can get wrong (flags, the key's absence).
 */

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

/** A wrong command line: exit code 2. */
export class CliUsageError extends CliError {
  override readonly name = 'CliUsageError'

  constructor(message: string, hint = 'Run `ima --help` (or `ima <command> --help`) for the options') {
    super(message, { hint, exitCode: EXIT.usage })
  }
}

/** No API key anywhere: exit code 1, like the reference script. */
export class MissingApiKeyError extends CliError {
  override readonly name = 'MissingApiKeyError'

  constructor() {
    super('No API key: set IMA_API_KEY or pass --api-key', {
      hint: 'Get a key at https://www.imaclaw.ai/imaclaw/apikey, then `export IMA_API_KEY=ima_…` (or run `ima serve` for a local test server and its key)',
    })
  }
}

/** Ctrl-C, carrying the task to resume when there is one. */
export class InterruptedError extends CliError {
  override readonly name = 'InterruptedError'
  readonly taskId: string | undefined

  constructor(taskId: string | undefined) {
    super(taskId ? `Interrupted. Task ${taskId} keeps running on the service` : 'Interrupted before the service gave a task id', {
      hint: taskId ? `Resume with: ima wait ${taskId}` : 'Nothing to resume; run the command again when you like',
      exitCode: EXIT.interrupted,
    })
    this.taskId = taskId
  }
}
