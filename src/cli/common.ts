/**
 * The settings every command that talks to the service reads from its
 * options (declared in `options.ts`), and the client they build. Kept in one
 * place so `ima generate`, `ima wait`… and the reference-compatible mode
 * read the key, hosts and language the same way.
 */
import type { ModelScope } from '../catalog/scopes.js'
import type { BudgetStore } from '../stores/budget-store.js'
import type { ImaLanguage } from '../http/transport-options.js'
import type { ImaLogger } from '../logger.js'
import type { PreferenceStore } from '../stores/preferences.js'
import { defaultJournalPath, FileTaskJournal, ImaClient } from '../node/index.js'
import { CliUsageError, MissingApiKeyError } from './errors.js'
import type { CliIO } from './io.js'
import { wordsFor } from './messages.js'
import type { ConnectionOptions, WaitingOptions } from './options.js'

/**
 * A stand-in input image for quoting image_to_image without one: a quote
 * only checks that an input exists; it never uploads or sends it.
 */
export const QUOTE_PLACEHOLDER_IMAGE = 'https://example.com/quote-input.png'

/** The connection settings read from flags and the environment. */
export interface CommonOptions {
  apiKey: string | undefined
  baseURL: string | undefined
  uploadBaseURL: string | undefined
  language: ImaLanguage
  verbose: boolean
  intervalMs: number | undefined
  /** The task journal file: `--journal`, `IMA_JOURNAL_PATH`, else the skills' folder (`defaultJournalPath()`). */
  journalPath: string
  /** Where the client logs: the skills' log file. */
  logger: ImaLogger
}

function text(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined
}

/** A whole number ≥ `min` from an environment variable, or a usage error naming it. */
function wholeNumberFromEnv(value: string | undefined, name: string, min: number, language: ImaLanguage): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < min) throw new CliUsageError(wordsFor(language).envWholeNumber(name, min, value))
  return number
}

/** Reads the shared options, and the environment variables they stand in for. */
export function readCommon(options: ConnectionOptions, io: CliIO): CommonOptions {
  const language = options.language ?? 'en'
  return {
    apiKey: text(options.apiKey) ?? text(io.env.IMA_API_KEY),
    baseURL: text(options.baseUrl),
    uploadBaseURL: text(options.uploadBaseUrl),
    language,
    verbose: options.verbose === true,
    intervalMs: options.pollInterval ?? wholeNumberFromEnv(text(io.env.IMA_POLL_INTERVAL_MS), 'IMA_POLL_INTERVAL_MS', 1, language),
    journalPath: text(options.journal) ?? text(io.env.IMA_JOURNAL_PATH) ?? defaultJournalPath(),
    logger: io.log,
  }
}

/** The wait deadline from `--timeout` (seconds), in ms. */
export function readTimeoutMs(options: WaitingOptions): number | undefined {
  return options.timeout === undefined ? undefined : options.timeout * 1000
}

/**
 * A Node client for the command, journaling every create in the task
 * journal file (shared with the skills' folder), so a task that may have
 * been charged is always found again (`ima tasks`, `ima wait --all-pending`).
 * The key is checked here, before any request, so a missing key is one
 * clear line rather than a failed request; `requireKey: false` is for
 * commands that only read the journal.
 */
export function createClient(
  common: CommonOptions,
  extra: { preferences?: PreferenceStore; requireKey?: boolean; maxCredits?: number | undefined; models?: ModelScope; budgetStore?: BudgetStore } = {},
): ImaClient {
  if (!common.apiKey && extra.requireKey !== false) throw new MissingApiKeyError(common.language)
  return new ImaClient({
    ...(common.apiKey ? { apiKey: common.apiKey } : {}),
    // undefined lets the SDK read IMA_BASE_URL / IMA_IM_BASE_URL itself.
    baseURL: common.baseURL,
    uploadBaseURL: common.uploadBaseURL,
    language: common.language,
    journal: new FileTaskJournal({ path: common.journalPath }),
    logger: common.logger,
    ...(extra.preferences ? { preferences: extra.preferences } : {}),
    // --poll-interval (or IMA_POLL_INTERVAL_MS) for every wait of the client, not only those a command starts itself.
    ...(common.intervalMs !== undefined ? { pollIntervalMs: common.intervalMs } : {}),
    ...(extra.maxCredits !== undefined ? { maxCredits: extra.maxCredits } : {}),
    ...(extra.budgetStore ? { budgetStore: extra.budgetStore } : {}),
    ...(extra.models ? { models: extra.models } : {}),
  })
}
