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
} from '../errors.js'
import { failureStatus } from '../schemas/envelope.js'
import { CREATE_TASK_PATH, PRODUCT_LIST_PATH, TASK_DETAIL_PATH } from '../protocol/endpoints.js'
import { UPLOAD_TOKEN_PATH } from '../protocol/upload-sign.js'

/** Links the skills give users for these two errors. */
export const API_KEY_URL = 'https://www.imaclaw.ai/imaclaw/apikey'
/** Where users buy credits. */
export const CREDITS_URL = 'https://www.imaclaw.ai/imaclaw/subscription'

/** Most characters of the service's message quoted in an error's `message`; the whole body stays in `responseBody`. */
export const MAX_QUOTED_MESSAGE_CHARS = 2_000

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
  /** The whole answer body, redacted, kept on the error for diagnostics. */
  responseBody?: string
  /**
   * Who answered: the IMA service (its envelope codes and statuses), or the
   * storage behind an upload URL (`ful`), whose statuses mean other things —
   * a 403 there is an expired signature, not a bad API key. @defaultValue `'service'`
   */
  from?: 'service' | 'storage'
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

function waitAdvice(answer: FailedAnswer): string {
  const wait = answer.retryAfterMs === undefined ? 'a moment' : `${Math.ceil(answer.retryAfterMs / 1000)} s`
  return `wait ${wait} and try again`
}

/** The error kind of a PUT to an upload URL answered with an error status: by the status only. */
function classifyStorage(answer: FailedAnswer): ErrorKind {
  const status = answer.status
  if (status === 429) return { errorClass: RateLimitError, summary: 'the upload host is rate limiting', advice: waitAdvice(answer) }
  if (status === 503) return { errorClass: ServiceUnavailableError, summary: 'the upload host is unavailable', advice: 'try again later' }
  if (status >= 500) return { errorClass: ServerError, summary: 'the upload host failed', advice: 'try again later' }
  if (status === 413) return { errorClass: ApiError, summary: 'the upload host refused the size', advice: 'send a smaller image' }
  return { errorClass: ApiError, summary: 'the upload host refused the image', advice: 'the upload URL may have expired; upload again' }
}

/** Picks the error kind: the envelope code first, then the message, then the HTTP status. */
function classify(answer: FailedAnswer): ErrorKind {
  if (answer.from === 'storage') return classifyStorage(answer)
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
  const status = failureStatus(answer.status, answer.code)
  const about = callAbout(answer.request)
  if (status === 401 || status === 403) {
    return { errorClass: AuthenticationError, summary: 'API key is invalid or unauthorized', advice: `check IMA_API_KEY, or get a new key at ${API_KEY_URL}` }
  }
  if (status === 400 || status === 422) return { errorClass: BadRequestError, ...REFUSED[about] }
  if (status === 404) return { errorClass: NotFoundError, summary: 'not found', advice: NOT_FOUND_ADVICE[about] }
  if (status === 429) return { errorClass: RateLimitError, summary: 'too many requests', advice: waitAdvice(answer) }
  const who = about === 'upload-token' ? 'the upload host' : 'the service'
  const later = `try again later${AFTER_FAILURE[about]}`
  if (status === 503) {
    if (about === 'create') return { errorClass: ServiceUnavailableError, summary: 'the model is temporarily unavailable', advice: 'try again later or choose another model' }
    return { errorClass: ServiceUnavailableError, summary: `${who} is temporarily unavailable`, advice: later }
  }
  if (status >= 500 && status < 600) return { errorClass: ServerError, summary: `${who} failed`, advice: later }
  return { errorClass: ApiError, summary: 'the service refused the request', advice: 'check the parameters, or try again later' }
}

/** What a call is about, from its path: one status asks for different things of a create, a task's detail, the product list and the upload token. */
type CallAbout = 'create' | 'task' | 'products' | 'upload-token' | 'other'

function callAbout(request: RequestTarget): CallAbout {
  const path = request.path
  if (path === CREATE_TASK_PATH) return 'create'
  if (path === TASK_DETAIL_PATH) return 'task'
  if (path === PRODUCT_LIST_PATH) return 'products'
  return path === UPLOAD_TOKEN_PATH ? 'upload-token' : 'other'
}

const REFUSED: Record<CallAbout, Pick<ErrorKind, 'summary' | 'advice'>> = {
  create: { summary: 'a parameter was refused', advice: 'adjust the size or aspect ratio to one the model offers' },
  task: { summary: 'the task id was refused', advice: 'check the task id' },
  products: { summary: 'the request was refused', advice: 'check the category and baseURL' },
  'upload-token': { summary: 'the upload host refused the token request', advice: "check this machine's clock (the request is signed with it) and uploadBaseURL; nothing was uploaded" },
  other: { summary: 'a parameter was refused', advice: 'check the parameters' },
}

const NOT_FOUND_ADVICE: Record<CallAbout, string> = {
  create: 'check baseURL and the model id',
  task: 'check the task id (tasks live only on the account that created them)',
  products: 'check baseURL',
  'upload-token': 'check uploadBaseURL; nothing was uploaded',
  other: 'check baseURL',
}

/** Said after "try again later" when a call failed on the service's side. */
const AFTER_FAILURE: Record<CallAbout, string> = {
  create: '; with a create, check whether the task exists first',
  task: '; the task is not lost: ima.tasks.wait(taskId) resumes it',
  products: '',
  'upload-token': '; nothing was uploaded',
  other: '',
}

/** A service message for an error message: at most {@link MAX_QUOTED_MESSAGE_CHARS} characters. */
function quotedMessage(serviceMessage: string | undefined): string {
  if (!serviceMessage) return ''
  const cut = serviceMessage.length > MAX_QUOTED_MESSAGE_CHARS ? `${serviceMessage.slice(0, MAX_QUOTED_MESSAGE_CHARS)}…` : serviceMessage
  return ` ("${cut}")`
}

/**
 * Builds the typed error for a failed answer — the one status → error
 * mapping of the SDK, for the service and for upload storage — with a
 * message of the form
 * `[POST /open/v1/tasks/create] 6010 attribute_id does not match the parameters ("…") — choose another size…`.
 *
 * @example
 * ```ts
 * const error = createApiError({ request: { method: 'GET', path: '/open/v1/product/list' }, status: 503 })
 * error instanceof ServiceUnavailableError // true
 * ```
 */
export function createApiError(answer: FailedAnswer): ApiError {
  const kind = classify(answer)
  const reference = answer.code !== undefined && answer.code !== answer.status ? `${answer.status} code ${answer.code}` : `${answer.status}`
  const message = `[${answer.request.method} ${answer.request.path}] ${reference} ${kind.summary}${quotedMessage(answer.serviceMessage)} — ${kind.advice}`
  const { from: _from, ...options } = answer
  return new kind.errorClass(message, {
    ...options,
    code: answer.code ?? answer.status,
  })
}
