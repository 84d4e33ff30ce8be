/**
 * Readers of what the send path (`HttpClient.send`) read: each turns one
 * answer into a result or a typed error. The service's JSON envelope, and
 * the storage behind an upload URL, which answers a bare status.
 */
import { createApiError } from './api-errors.js'
import { ResponseValidationError, type FieldIssue, type RequestTarget } from '../errors.js'
import { excerptOf, redactSecrets } from '../internal/redact.js'
import { parseRetryAfter } from './retry-policy.js'
import type { DataCheck, DataReader } from '../schemas/data-check.js'
import { isRefusalCode, isSuccessCode, readEnvelopeShape } from '../schemas/envelope.js'

/** An answer as the send path read it, for a reader to turn into a result or a typed error. */
export interface HttpAnswer {
  /** The request it answers (method and path; never a query string). */
  request: RequestTarget
  status: number
  /** The body as text: at most `maxResponseBytes` of it (or the call's `answerPrefixBytes`). */
  text: string
  /** The answer's headers: read only on the paths that need one (a `Retry-After`, the type in an error), since each read costs. */
  headers: Headers
  /** What to remove from any of the body put on an error: the API key, an upload URL's signature. */
  secrets: readonly (string | undefined)[]
}

/** Turns one answer into the call's result, or throws the typed error it stands for. */
export type AnswerReader<T> = (answer: HttpAnswer) => T

/**
 * Deepest nesting of arrays and objects an error message names. Real answers
 * nest a few dozen levels at most (a product tree with its forms); the
 * checks of answers refuse far deeper ones as a `ResponseValidationError`.
 */
export const MAX_ANSWER_DEPTH = 256

/**
 * Whether JSON text nests arrays and objects deeper than `max`, found by one
 * scan of the text (no parse, no recursion). Only run on a failure path (to
 * say why an answer could not be checked): a scan of every answer would cost
 * every call a walk of its body in JS.
 *
 * @example
 * ```ts
 * nestsDeeperThan('[[[1]]]', 2) // true
 * nestsDeeperThan('{"a":"[[[["}', 1) // false: brackets in strings do not count
 * ```
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  // Fewer characters than levels cannot nest that deep.
  if (text.length <= max) return false
  let depth = 0
  let inString = false
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index)
    if (inString) {
      if (char === 0x5c) index += 1 // a backslash: skip the escaped character
      else if (char === 0x22) inString = false
    } else if (char === 0x22) inString = true
    else if (char === 0x5b || char === 0x7b) {
      depth += 1
      if (depth > max) return true
    } else if (char === 0x5d || char === 0x7d) depth -= 1
  }
  return false
}

/** Why a value was too deep to check, in words for the error: the nesting limit when the text passes it. */
function tooDeepReason(text: string, what: string): string {
  return nestsDeeperThan(text, MAX_ANSWER_DEPTH) ? `answered JSON nested deeper than ${MAX_ANSWER_DEPTH} levels` : `answered ${what} nested too deeply to check`
}

/**
 * The parsed body, or why there is none (empty, not JSON). No depth scan
 * first: V8's `JSON.parse` does not recurse on the native stack, and a value
 * too deep for the check of its data fails there as a typed error.
 */
function parseBody(text: string): { json: unknown; parsed: true } | { parsed: false; reason?: string; cause?: unknown } {
  if (text === '' || text.trim() === '') return { parsed: false }
  try {
    return { json: JSON.parse(text), parsed: true }
  } catch (error) {
    // Not seen on Node 20 even at millions of levels, but a runtime whose parser recurses must still end typed.
    if (error instanceof RangeError) return { parsed: false, reason: tooDeepReason(text, 'JSON'), cause: error }
    return { parsed: false, reason: 'answered with a body that is not JSON', cause: error }
  }
}

function issuesOf<T>(check: DataCheck<T> | undefined): FieldIssue[] {
  return check === undefined || check.success ? [] : check.issues
}

/** The error for an answer that is not what the protocol says, quoting a short, redacted excerpt. */
function invalidAnswer(answer: HttpAnswer, reason: string, issues: FieldIssue[] = [], cause?: unknown): ResponseValidationError {
  // The excerpt is cut from the start only: flattening a 4 MiB body for 200 characters would be waste.
  const excerpt = excerptOf(answer.text.slice(0, 4_096), answer.secrets)
  return new ResponseValidationError(
    `[${answer.request.method} ${answer.request.path}] ${answer.status} ${reason}${excerpt ? `: ${excerpt}` : ''} — the service or a proxy answered unexpectedly; try again later`,
    { request: answer.request, status: answer.status, excerpt, issues, cause, responseBody: bodyOf(answer) },
  )
}

function bodyOf(answer: HttpAnswer): string | undefined {
  return answer.text === '' ? undefined : redactSecrets(answer.text, answer.secrets)
}

/**
 * Reads the service's `{ code, message, data }` envelope: an HTTP error or
 * an error code becomes the typed API error, anything else unexpected a
 * `ResponseValidationError`, and `data` is checked by `check`.
 *
 * @example
 * ```ts
 * const tree = await http.send({ method: 'GET', path: '/open/v1/product/list', retry: 'idempotent' }, envelopeReader(readProductList))
 * ```
 */
export function envelopeReader<T>(check: DataReader<T>): AnswerReader<T> {
  return (answer) => readEnvelope(answer, check)
}

function readEnvelope<T>(answer: HttpAnswer, check: DataReader<T>): T {
  const { status } = answer
  const body = parseBody(answer.text)
  if (!body.parsed && body.reason && status < 400) {
    throw invalidAnswer(answer, `${body.reason} (${answer.headers.get('content-type') || 'no content type'})`, [], body.cause)
  }
  const envelope = body.parsed ? readEnvelopeShape(body.json) : undefined
  const wrapped = envelope?.success ? envelope.data : undefined

  if (status >= 400) {
    // Only a refusal code makes it the service's own refusal: a success body or a gateway's word under an error status proves nothing.
    const envelope = wrapped !== undefined && isRefusalCode(wrapped.code)
    throw createApiError({ ...failedCall(answer, wrapped), code: wrapped?.code, envelope, retryAfterMs: parseRetryAfter(answer.headers.get('retry-after')) })
  }
  if (status < 200 || status >= 300) throw invalidAnswer(answer, 'is not a success status')
  if (!body.parsed) throw invalidAnswer(answer, 'answered with an empty body')
  if (!wrapped) {
    throw invalidAnswer(answer, 'answered JSON without the { code, message, data } envelope', issuesOf(envelope))
  }
  if (!isSuccessCode(wrapped.code)) throw createApiError({ ...failedCall(answer, wrapped), code: wrapped.code, envelope: true })
  const data = check(wrapped.data)
  if (data.success) return data.data
  if (data.tooDeep) throw invalidAnswer(answer, tooDeepReason(answer.text, 'data'), data.issues)
  throw invalidAnswer(answer, 'answered data of an unexpected shape', data.issues)
}

/** What every API error of an envelope answer carries; built only on the paths that throw (redacting a body costs). */
function failedCall(answer: HttpAnswer, wrapped: { message?: string | null } | undefined) {
  const serviceMessage = wrapped?.message ? redactSecrets(wrapped.message, answer.secrets) : undefined
  return { request: answer.request, status: answer.status, serviceMessage, responseBody: bodyOf(answer) }
}

/** The `message` of a JSON error body, when the storage sent one (object stores mostly answer XML or nothing). */
function storageMessage(answer: HttpAnswer): string | undefined {
  const body = parseBody(answer.text)
  if (!body.parsed || typeof body.json !== 'object' || body.json === null) return undefined
  const message = (body.json as { message?: unknown }).message
  return typeof message === 'string' && message !== '' ? redactSecrets(message, answer.secrets) : undefined
}

/**
 * Reads the answer of a `PUT` to an upload URL: a 2xx is success, unless it
 * is a web page (object stores answer a PUT with nothing or XML, so a page is
 * a captive portal or a proxy that did not store the bytes, and a create with
 * that `fdl` would be paid for an input that is not there); an error status
 * becomes the typed error of {@link createApiError} for storage (its body is
 * only inspected for a message).
 *
 * @example
 * ```ts
 * await http.send({ method: 'PUT', path: ful.pathname, url: ful, rawBody, retry: 'idempotent' }, readStorageAnswer)
 * ```
 */
export const readStorageAnswer: AnswerReader<void> = (answer) => {
  if (answer.status >= 200 && answer.status < 300) {
    if (answer.text.trim() !== '' && /^\s*text\/html\b/i.test(answer.headers.get('content-type') ?? '')) {
      throw invalidAnswer(answer, 'answered the upload with a web page, not the storage: the image may not be stored, and nothing was created')
    }
    return
  }
  throw createApiError({
    from: 'storage',
    request: answer.request,
    status: answer.status,
    serviceMessage: storageMessage(answer),
    retryAfterMs: parseRetryAfter(answer.headers.get('retry-after')),
    responseBody: bodyOf(answer),
  })
}
