/**
 * The skills' log file, kept by the CLI as the Python script keeps it:
 * `~/.openclaw/logs/ima_skills/ima_create_YYYYMMDD.log`, one file per local
 * day, files older than 7 days removed (docs/migrating-from-python.md). The
 * SDK's `FileLogStore` writes that format; this opens it only when the first
 * line comes, so commands that log nothing (`--help`, `ima prefs get`) never
 * touch the folder.
 */
import type { ImaLogger, LogFields, LogLevel } from '../logger.js'
import { FileLogStore } from '../node/stores/file-log-store.js'

/** The skills keep a week of logs. */
const RETENTION_DAYS = 7

/** A logger for the client and the CLI, with a way to wait for its lines before the process exits. */
export interface CliLog extends ImaLogger {
  /** Whether any line was logged (the file was opened). */
  readonly opened: boolean
  /** Resolves once every line logged so far is on disk. */
  flush(): Promise<void>
}

/**
 * The skills' log file, opened at its first line. Lines at `info` and up:
 * task created, status changes, uploads, retries, failures — not every HTTP
 * response. A write that fails (a read-only folder, a full disk) is dropped
 * and never fails the command.
 *
 * @param dir - the folder, for tests; the skills' folder by default.
 * @example
 * ```ts
 * const log = openSkillsLog()
 * const ima = new ImaClient({ logger: log })
 * // … before exit:
 * await log.flush()
 * ```
 */
export function openSkillsLog(dir?: string): CliLog {
  let store: FileLogStore | undefined
  const write =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      store ??= new FileLogStore({ retentionDays: RETENTION_DAYS, level: 'info', ...(dir !== undefined ? { dir } : {}) })
      store[level](message, fields)
    }
  return {
    get opened() {
      return store !== undefined
    },
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    flush: async () => {
      await store?.flush()
    },
  }
}
