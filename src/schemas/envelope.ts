import { IssueList, checkOptional, isJsonObject, type DataCheck } from './data-check.js'

/**
 * The envelope around every JSON answer: `{ code, message, data }`.
 * `code` 0 or 200 is success, anything else an error even under HTTP 200.
 */
export interface Envelope {
  code: number | string
  message?: string | null
  data?: unknown
  [extra: string]: unknown
}

/**
 * Checks that a parsed answer is the `{ code, message, data }` envelope.
 *
 * @example
 * ```ts
 * const checked = readEnvelopeShape(JSON.parse(text))
 * if (checked.success && isSuccessCode(checked.data.code)) use(checked.data.data)
 * ```
 */
export function readEnvelopeShape(value: unknown): DataCheck<Envelope> {
  const found = new IssueList()
  if (!isJsonObject(value)) {
    found.add('', 'must be an object')
    return found.verdict(value as Envelope)
  }
  if (typeof value.code !== 'number' && typeof value.code !== 'string') found.add('code', 'must be a number or a string')
  checkOptional(value, 'message', 'string', '', found)
  return found.verdict(value as Envelope)
}

/** Whether an envelope code means success (0 or 200, as number or string). */
export function isSuccessCode(code: number | string): boolean {
  const value = Number(code)
  return value === 0 || value === 200
}
