/**
 * Options every command that talks to the service shares, and the client
 * they build. Kept in one place so `ima generate`, `ima wait`… and the
 * reference-compatible mode read the key, hosts and language the same way.
 */
import type { ArgsDef } from 'citty'
import type { ImaLanguage } from '../core/config.js'
import type { PreferenceStore } from '../stores/preferences.js'
import { defaultJournalPath, FileTaskJournal, ImaClient } from '../node/index.js'
import { CliUsageError, MissingApiKeyError } from './errors.js'
import type { CliIO } from './io.js'

/** Flags shared by every command that calls the service. */
export const CONNECTION_ARGS = {
  'api-key': { type: 'string', description: 'API key (default: IMA_API_KEY). Never printed', valueHint: 'ima_…' },
  'base-url': { type: 'string', description: 'API host (default: IMA_BASE_URL, else https://api.imastudio.com)', valueHint: 'url' },
  'upload-base-url': { type: 'string', description: 'Upload host (default: IMA_IM_BASE_URL, else https://imapi.liveme.com)', valueHint: 'url' },
  language: { type: 'enum', options: ['en', 'zh'], description: 'Language of messages and product labels (default: en)' },
  verbose: { type: 'boolean', description: 'Add technical detail to errors (never the key)' },
  'poll-interval': { type: 'string', description: 'Poll every this many ms instead of the model\'s schedule (env IMA_POLL_INTERVAL_MS); hidden from --help', valueHint: 'ms' },
  journal: { type: 'string', description: 'Task journal file (env IMA_JOURNAL_PATH, else ~/.openclaw/memory/ima_tasks.jsonl); hidden from --help', valueHint: 'path' },
} satisfies ArgsDef

/** Flags of commands that wait for a task. */
export const WAIT_ARGS = {
  timeout: { type: 'string', description: 'Give up waiting after this many seconds (default: 600); the task may still finish', valueHint: 'seconds' },
  quiet: { type: 'boolean', description: 'No progress on stderr' },
} satisfies ArgsDef

/** Args that `--help` leaves out (documented in docs/cli.md): test and tuning knobs. */
export const HIDDEN_ARGS = new Set(['poll-interval', 'journal'])

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
}

type LooseArgs = Record<string, unknown>

function text(args: LooseArgs, name: string): string | undefined {
  const value = args[name]
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** A whole number ≥ `min` from a flag, or a usage error naming the flag. */
export function integerFlag(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < min) throw new CliUsageError(`Expected ${flag} to be a whole number ≥ ${min}, got "${value}"`)
  return number
}

/** Reads the shared flags (and their environment variables). */
export function readCommon(args: LooseArgs, io: CliIO): CommonOptions {
  const interval = text(args, 'poll-interval') ?? io.env.IMA_POLL_INTERVAL_MS?.trim()
  return {
    apiKey: text(args, 'api-key') ?? (io.env.IMA_API_KEY?.trim() || undefined),
    baseURL: text(args, 'base-url'),
    uploadBaseURL: text(args, 'upload-base-url'),
    language: args.language === 'zh' ? 'zh' : 'en',
    verbose: args.verbose === true,
    intervalMs: integerFlag(interval || undefined, '--poll-interval (or IMA_POLL_INTERVAL_MS)', 1),
    journalPath: text(args, 'journal') ?? (io.env.IMA_JOURNAL_PATH?.trim() || defaultJournalPath()),
  }
}

/** The wait deadline from `--timeout` (seconds), in ms. */
export function readTimeoutMs(args: LooseArgs): number | undefined {
  const seconds = integerFlag(text(args, 'timeout'), '--timeout', 1)
  return seconds === undefined ? undefined : seconds * 1000
}

/**
 * A Node client for the command, journaling every create in the task
 * journal file (shared with the skills' folder), so a task that may have
 * been charged is always found again (`ima tasks`, `ima wait --all-pending`).
 * The key is checked here, before any request, so a missing key is one
 * clear line rather than a failed request; `requireKey: false` is for
 * commands that only read the journal.
 */
export function createClient(common: CommonOptions, extra: { preferences?: PreferenceStore; requireKey?: boolean } = {}): ImaClient {
  if (!common.apiKey && extra.requireKey !== false) throw new MissingApiKeyError()
  return new ImaClient({
    ...(common.apiKey ? { apiKey: common.apiKey } : {}),
    // undefined lets the SDK read IMA_BASE_URL / IMA_IM_BASE_URL itself.
    baseURL: common.baseURL,
    uploadBaseURL: common.uploadBaseURL,
    language: common.language,
    journal: new FileTaskJournal({ path: common.journalPath }),
    ...(extra.preferences ? { preferences: extra.preferences } : {}),
  })
}
