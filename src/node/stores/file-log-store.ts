import { appendFile, mkdir, readdir, unlink } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { checkLogLevel, levelEnabled, safeJson, type ImaLogger, type LogFields, type LogLevel } from '../../logger.js'

/** Where the skills keep their logs: `~/.openclaw/logs/ima_skills/`. @public */
export function defaultLogDir(): string {
  return join(homedir(), '.openclaw', 'logs', 'ima_skills')
}

/** Options of {@link FileLogStore}. @public */
export interface FileLogStoreOptions {
  /** The folder of the daily files. @defaultValue `~/.openclaw/logs/ima_skills/` (the skills' folder) */
  dir?: string
  /** Files dated more than this many days before today are removed (at start-up and when the day changes). @defaultValue 7 */
  retentionDays?: number
  /** Lines below this level are not written. @defaultValue `'debug'` (everything) */
  level?: LogLevel
  /** The clock, for tests. @defaultValue `() => new Date()` */
  now?: () => Date
}

const FILE_PATTERN = /^ima_create_(\d{4})(\d{2})(\d{2})\.log$/
const DAY_MS = 86_400_000

/** `YYYYMMDD` of a date, in local time (the skills name their files by the local date). */
function dayStamp(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`
}

/** A calendar day as a number of days, free of time zones and daylight saving. */
function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS)
}

/**
 * A logger that appends one JSON line per call to a file per day,
 * `ima_create_YYYYMMDD.log` (local date), in the skills' log folder by
 * default — and removes files dated more than `retentionDays` days back,
 * at start-up and whenever the day changes.
 *
 * Lines look like `{"time":"…","level":"info","msg":"ima task created","pid":123,"taskId":"…","model":"…"}`.
 * Each line is one append (`O_APPEND`), so several processes can share a
 * folder without mixing their lines. Writing never throws: a failed write
 * is dropped (see {@link FileLogStore.lastError}). Give it to the client as
 * its `logger`: the client redacts every line before it gets here.
 *
 * @example
 * ```ts
 * import { ImaClient, FileLogStore } from 'ima-open-sdk/node'
 * const ima = new ImaClient({ logger: new FileLogStore({ retentionDays: 7 }) })
 * ```
 * @public
 */
export class FileLogStore implements ImaLogger {
  /** The folder, as an absolute path. */
  readonly dir: string
  readonly retentionDays: number
  readonly #level: LogLevel
  readonly #now: () => Date
  /** Writes run one after another, so this process's lines keep their order. */
  #queue: Promise<void> = Promise.resolve()
  #day: string | undefined
  #lastError: Error | undefined

  constructor(options: FileLogStoreOptions = {}) {
    if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) {
      throw new TypeError(`Expected dir to be a folder path, got ${JSON.stringify(options.dir)}`)
    }
    const retention = options.retentionDays ?? 7
    if (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 0) {
      throw new TypeError(`Expected retentionDays to be a whole number of days ≥ 0, got ${String(options.retentionDays)}`)
    }
    this.dir = resolve(options.dir ?? defaultLogDir())
    this.retentionDays = retention
    this.#level = checkLogLevel(options.level, 'debug')
    this.#now = options.now ?? (() => new Date())
    // Start-up clean-up (and the day it was done for).
    this.#day = dayStamp(this.#now())
    this.#enqueue(() => this.#cleanup(this.#now()))
  }

  /** The file lines written now go to. */
  get file(): string {
    return join(this.dir, `ima_create_${dayStamp(this.#now())}.log`)
  }

  /** The last error a write or a clean-up met, if any (they never throw). */
  get lastError(): Error | undefined {
    return this.#lastError
  }

  debug(message: string, fields?: LogFields): void {
    this.#write('debug', message, fields)
  }

  info(message: string, fields?: LogFields): void {
    this.#write('info', message, fields)
  }

  warn(message: string, fields?: LogFields): void {
    this.#write('warn', message, fields)
  }

  error(message: string, fields?: LogFields): void {
    this.#write('error', message, fields)
  }

  /** Resolves once every line logged so far is written (before exit, or in tests). */
  flush(): Promise<void> {
    return this.#queue
  }

  /**
   * Removes the files dated more than `retentionDays` days before today;
   * resolves to the names removed. Runs by itself at start-up and at day change.
   */
  cleanup(): Promise<string[]> {
    let removed: string[] = []
    return this.#enqueue(async () => {
      removed = await this.#cleanup(this.#now())
    }).then(() => removed)
  }

  #write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (!levelEnabled(level, this.#level)) return
    const now = this.#now()
    const day = dayStamp(now)
    if (day !== this.#day) {
      this.#day = day
      this.#enqueue(() => this.#cleanup(now))
    }
    const line: Record<string, unknown> = { time: now.toISOString(), level, msg: String(message), pid: process.pid }
    for (const [key, value] of Object.entries(fields ?? {})) if (!(key in line)) line[key] = value
    // JSON.stringify escapes newlines, so a line is always one line.
    const text = `${safeJson(line)}\n`
    const file = join(this.dir, `ima_create_${day}.log`)
    this.#enqueue(async () => {
      await mkdir(this.dir, { recursive: true })
      // flag 'a' opens with O_APPEND: every line lands whole at the end, whoever else appends.
      await appendFile(file, text, { encoding: 'utf8', flag: 'a' })
    })
  }

  #enqueue(task: () => Promise<unknown>): Promise<void> {
    this.#queue = this.#queue
      .then(task)
      .then(
        () => {},
        (error: unknown) => {
          this.#lastError = error instanceof Error ? error : new Error(String(error))
        },
      )
    return this.#queue
  }

  async #cleanup(now: Date): Promise<string[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    const today = dayNumber(now.getFullYear(), now.getMonth() + 1, now.getDate())
    const removed: string[] = []
    for (const name of names) {
      const match = FILE_PATTERN.exec(name)
      if (!match) continue
      const age = today - dayNumber(Number(match[1]), Number(match[2]), Number(match[3]))
      if (age <= this.retentionDays) continue
      try {
        await unlink(join(this.dir, name))
        removed.push(name)
      } catch (error) {
        // Another process cleaned it first.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      }
    }
    return removed
  }
}
