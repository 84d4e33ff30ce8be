/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>

/**
 * Where the client writes its log lines (one per request, retry and task
 * status). Any pino-like logger with these four methods fits. Lines never
 * carry the API key, and carry the prompt only when the caller opts in.
 * @public
 */
export interface ImaLogger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

/** The default logger: writes nothing. @public */
export const noopLogger: ImaLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}
