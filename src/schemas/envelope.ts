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

/**
 * Whether an envelope under an HTTP error status is the service's own
 * refusal: its code is a number (or a numeric string) that is not a success.
 * A success code there (`{ code: 0, data: { id } }` under a 503) or a word
 * (`{ code: 'UPSTREAM_TIMEOUT' }`, a gateway's) proves nothing was refused.
 *
 * @example
 * ```ts
 * isRefusalCode(503) // true
 * isRefusalCode(0) // false: a success body under an error status
 * isRefusalCode('UPSTREAM_TIMEOUT') // false
 * ```
 */
export function isRefusalCode(code: number | string): boolean {
  const value = typeof code === 'number' ? code : code.trim() === '' ? Number.NaN : Number(code)
  return Number.isFinite(value) && !isSuccessCode(value)
}

/**
 * The HTTP status a failed answer stands for: its own, or, under HTTP 200,
 * the status its envelope's code names (`{ code: 500 }` is a 500). Any other
 * code (4008, 6010) leaves it 200.
 *
 * @example
 * ```ts
 * failureStatus(200, 500) // 500
 * failureStatus(200, 6010) // 200
 * failureStatus(503, 0) // 503
 * ```
 */
export function failureStatus(status: number, code: number | string | undefined): number {
  if (status !== 200 || code === undefined) return status
  const named = Number(code)
  return Number.isInteger(named) && named >= 100 && named < 600 ? named : status
}
