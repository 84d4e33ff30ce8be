/**
 * The frame every `ima` command runs in: its options checked, the images the
 * argv pre-pass gathered handed over, and any error reported in the chosen
 * language before the exit code goes back to `main`.
 */
import type { ArgsDef, CommandDef, CommandMeta, ParsedArgs } from 'citty'
import type { Gathered } from './argv.js'
import { rejectUnknownOptions } from './check-options.js'
import { CliUsageError } from './errors.js'
import type { CliIO } from './io.js'
import { reportError } from './report-error.js'

/** What every command gets besides its parsed args. */
export interface CliEnv {
  io: CliIO
  /** Values of the repeatable flags, lifted out of argv before citty parsed it. */
  gathered: Gathered['values']
}

/** Thrown once an error has been written to stderr: `main` only sets the exit code. */
export class ReportedError extends Error {
  override readonly name = 'ReportedError'
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`)
  }
}

/** What a command's `run` gets. */
export interface ImaCommandContext<T extends ArgsDef> {
  args: ParsedArgs<T>
  /** The values of the gathered flag the command accepts (`--input-images` or `--image`), in order. */
  images: string[]
  env: CliEnv
}

/** Defines a command: options checked first, errors reported with the command's language and key. */
export function imaCommand<const T extends ArgsDef>(
  env: CliEnv,
  definition: { meta: CommandMeta; args: T; images?: 'input-images' | 'image'; run: (context: ImaCommandContext<T>) => Promise<void> },
): CommandDef<T> {
  return {
    meta: definition.meta,
    args: definition.args,
    run: async ({ args, rawArgs }) => {
      const loose = args as Record<string, unknown>
      try {
        rejectUnknownOptions(rawArgs, definition.args)
        for (const [flag, values] of Object.entries(env.gathered)) {
          if (values.length > 0 && flag !== definition.images) throw new CliUsageError(`--${flag} is not an option of ima ${definition.meta.name ?? ''}`.trimEnd())
        }
        await definition.run({ args, images: definition.images ? (env.gathered[definition.images] ?? []) : [], env })
      } catch (error) {
        // Already said on stderr (a detached create's outcome): only the exit code is left.
        if (error instanceof ReportedError) throw error
        const apiKey = typeof loose['api-key'] === 'string' ? loose['api-key'] : env.io.env.IMA_API_KEY
        const exitCode = reportError(env.io, error, {
          language: loose.language === 'zh' ? 'zh' : 'en',
          verbose: loose.verbose === true,
          apiKey,
        })
        throw new ReportedError(exitCode)
      }
    },
  }
}
