import { redactFields, redactSecrets } from './internal/redact.js'

/** Structured fields attached to a log line. @public */
export type LogFields = Record<string, unknown>

/** Log levels, least to most severe. @public */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** The levels in order of severity. @public */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

/**
 * Where the client writes its log lines: one per request, retry, upload and
 * task status change, with structured fields (task id, model, timing,
 * outcome). Implement these four methods to send lines anywhere; for pino
 * use {@link pinoLogger}. Lines reach it already redacted: never the API
 * key or a Bearer token, and the prompt only with the client option
 * `logPrompts: true`.
 * @public
 */
export interface ImaLogger {
  /** Detail lines, e.g. each HTTP response with its status and timing. */
  debug(message: string, fields?: LogFields): void
  /** Normal progress: task created, status changes, uploads, preferences saved. */
  info(message: string, fields?: LogFields): void
  /** Recoverable trouble: retries, failed polls, failed tasks. */
  warn(message: string, fields?: LogFields): void
  /** Failures inside the SDK itself, e.g. an event listener that threw. */
  error(message: string, fields?: LogFields): void
}

/** The default logger: writes nothing. @public */
export const noopLogger: ImaLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}

/** Whether a line at `level` passes a `minimum` level. @public */
export function levelEnabled(level: LogLevel, minimum: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(minimum)
}

/** Throws an `Expected level to be …` error for anything but a known level. */
export function checkLogLevel(level: unknown, fallback: LogLevel): LogLevel {
  if (level === undefined) return fallback
  if (typeof level !== 'string' || !LOG_LEVELS.includes(level as LogLevel)) {
    throw new TypeError(`Expected level to be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`)
  }
  return level as LogLevel
}

/** The part of `console` a {@link consoleLogger} writes to. @public */
export type ConsoleLike = Pick<Console, 'debug' | 'info' | 'warn' | 'error'>

/** Options of {@link consoleLogger}. @public */
export interface ConsoleLoggerOptions {
  /** Lines below this level are dropped. @defaultValue `'info'` */
  level?: LogLevel
  /** Where lines go. @defaultValue `globalThis.console` */
  console?: ConsoleLike
}

/**
 * A logger that writes one line per call to the console:
 * `info ima task created {"taskId":"…","model":"…"}`.
 *
 * @example
 * ```ts
 * const ima = new ImaClient({ logger: consoleLogger({ level: 'debug' }) })
 * ```
 * @public
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): ImaLogger {
  const minimum = checkLogLevel(options.level, 'info')
  const line =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (!levelEnabled(level, minimum)) return
      const target = options.console ?? globalThis.console
      const extra = fields && Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : ''
      target[level](`${level} ${message}${extra}`)
    }
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}

/** One pino log method: `(fields, message)`. */
type PinoMethod = (fields: object, message?: string) => void

/** Any logger with pino's calling convention (pino, and loggers that copy it). @public */
export interface PinoLike {
  /** pino's `debug(fields, message)`. */
  debug: PinoMethod
  /** pino's `info(fields, message)`. */
  info: PinoMethod
  /** pino's `warn(fields, message)`. */
  warn: PinoMethod
  /** pino's `error(fields, message)`. */
  error: PinoMethod
}

/**
 * Adapts a pino (or pino-compatible) logger, whose methods take the fields
 * first and the message second. The pino logger's own level decides what is
 * written.
 *
 * @example
 * ```ts
 * import pino from 'pino'
 * const ima = new ImaClient({ logger: pinoLogger(pino({ level: 'debug' })) })
 * ```
 * @public
 */
export function pinoLogger(pino: PinoLike): ImaLogger {
  if (typeof pino !== 'object' || pino === null || typeof pino.info !== 'function') {
    throw new TypeError('Expected pinoLogger() to be given a pino logger (an object with debug, info, warn and error methods)')
  }
  return {
    debug: (message, fields) => pino.debug(fields ?? {}, message),
    info: (message, fields) => pino.info(fields ?? {}, message),
    warn: (message, fields) => pino.warn(fields ?? {}, message),
    error: (message, fields) => pino.error(fields ?? {}, message),
  }
}

/** Options of {@link redactingLogger}. */
export interface RedactingLoggerOptions {
  /** Exact secrets to remove (the API key). */
  secrets?: readonly (string | undefined)[]
  /** Keep `prompt` fields. @defaultValue false */
  logPrompts?: boolean
}

/**
 * Wraps a logger so every line it receives is redacted (see `redactFields`)
 * and a logger that throws never breaks the call that logged. The client
 * wraps its configured logger once, so every logger — console, pino, file,
 * your own — gets the same redacted lines.
 */
export function redactingLogger(logger: ImaLogger, options: RedactingLoggerOptions = {}): ImaLogger {
  if (logger === noopLogger) return noopLogger
  const secrets = options.secrets ?? []
  const line =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      try {
        const text = redactSecrets(String(message), secrets)
        if (fields === undefined) logger[level](text)
        else logger[level](text, redactFields(fields, { secrets, logPrompts: options.logPrompts ?? false }))
      } catch {
        // Logging must never fail a request, a wait or an upload.
      }
    }
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}

/** JSON of log fields that never throws (cycles, BigInt). */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))
  } catch {
    return JSON.stringify(redactFields({ value }).value ?? null)
  }
}
