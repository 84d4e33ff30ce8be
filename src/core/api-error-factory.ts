import {
  ApiError,
  AttributeMismatchError,
  AuthenticationError,
  BadRequestError,
  CreditMismatchError,
  InsufficientPointsError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ServiceUnavailableError,
  type RequestTarget,
} from './errors.js'

/** Links the skills give users for these two errors. */
export const API_KEY_URL = 'https://www.imaclaw.ai/imaclaw/apikey'
/** Where users buy credits. */
export const CREDITS_URL = 'https://www.imaclaw.ai/imaclaw/subscription'

/** What the HTTP layer knows about a failed answer. */
export interface FailedAnswer {
  request: RequestTarget
  /** HTTP status (200 when the envelope carried the error). */
  status: number
  /** Envelope `code`, when there was an envelope. */
  code?: number | string
  /** Envelope `message`, when there was one. */
  serviceMessage?: string
  /** Parsed `Retry-After`, in ms. */
  retryAfterMs?: number
  /** Whether the answer was the service's own envelope (not a bare status or a page). */
  envelope?: boolean
}

type ApiErrorClass = new (message: string, options: FailedAnswer & { status?: number }) => ApiError

interface ErrorKind {
  errorClass: ApiErrorClass
  /** What happened, in words a developer understands. */
  summary: string
  /** What to do about it. */
  advice: string
}

const INVALID_ATTRIBUTE = /invalid product attribute/i
const INSUFFICIENT_POINTS = /insufficient points/i

/** Picks the error kind: the envelope code first, then the message, then the HTTP status. */
function classify(answer: FailedAnswer): ErrorKind {
  const code = Number(answer.code)
  const message = answer.serviceMessage ?? ''
  if (code === 4008 || INSUFFICIENT_POINTS.test(message)) {
    return { errorClass: InsufficientPointsError, summary: 'insufficient points to create this task', advice: `top up at ${CREDITS_URL}, or choose a cheaper model or size` }
  }
  if (code === 6006) {
    return { errorClass: CreditMismatchError, summary: "credit does not match the credit rule's points", advice: 'the product list changed: create again so the SDK reads the current rules' }
  }
  if (code === 6009 || code === 6010 || INVALID_ATTRIBUTE.test(message)) {
    return { errorClass: AttributeMismatchError, summary: 'attribute_id does not match the parameters', advice: 'choose another size, or create again so the SDK reads the current product list' }
  }
  const status = answer.status !== 200 ? answer.status : code
  if (status === 401 || status === 403) {
    return { errorClass: AuthenticationError, summary: 'API key is invalid or unauthorized', advice: `check IMA_API_KEY, or get a new key at ${API_KEY_URL}` }
  }
  if (status === 400 || status === 422) {
    return { errorClass: BadRequestError, summary: 'a parameter was refused', advice: 'adjust the size or aspect ratio to one the model offers' }
  }
  if (status === 404) {
    return { errorClass: NotFoundError, summary: 'not found', advice: 'check the task id (tasks live only on the account that created them)' }
  }
  if (status === 429) {
    const wait = answer.retryAfterMs === undefined ? 'a moment' : `${Math.ceil(answer.retryAfterMs / 1000)} s`
    return { errorClass: RateLimitError, summary: 'too many requests', advice: `wait ${wait} and try again` }
  }
  if (status === 503) {
    return { errorClass: ServiceUnavailableError, summary: 'the model is temporarily unavailable', advice: 'try again later or choose another model' }
  }
  if (status >= 500 && status < 600) {
    return { errorClass: ServerError, summary: 'the service failed', advice: 'try again later; with a create, check whether the task exists first' }
  }
  return { errorClass: ApiError, summary: 'the service refused the request', advice: 'check the parameters, or try again later' }
}

/**
 * Builds the typed error for a failed answer, with a message of the form
 * `[POST /open/v1/tasks/create] 6010 attribute_id does not match the parameters ("…") — choose another size…`.
 */
export function createApiError(answer: FailedAnswer): ApiError {
  const kind = classify(answer)
  const reference = answer.code !== undefined && answer.code !== answer.status ? `${answer.status} code ${answer.code}` : `${answer.status}`
  const quoted = answer.serviceMessage ? ` ("${answer.serviceMessage}")` : ''
  const message = `[${answer.request.method} ${answer.request.path}] ${reference} ${kind.summary}${quoted} — ${kind.advice}`
  return new kind.errorClass(message, {
    ...answer,
    code: answer.code ?? answer.status,
  })
}
