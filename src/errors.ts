/**
 * The SDK's error tree. Every error a caller can hit is one of these classes,
 * each with a literal `name`, a `code` where the service gave one, and a
 * message that says what happened and what to do. None of them ever holds
 * the API key: request details are copied in as method, path and status only.
 */

/** Where a request went, as carried by API and transport errors. */
export interface RequestTarget {
  /** HTTP method, e.g. `POST`. */
  method: string
  /** Path without host or query, e.g. `/open/v1/tasks/create`. */
  path: string
}

/** One problem found while validating input or a response. */
export interface FieldIssue {
  /** Dotted path of the offending field (`''` for the whole value). */
  path: string
  /** What is wrong with it. */
  message: string
}

/**
 * Base class of every error the SDK throws.
 * @public
 */
export class ImaError extends Error {
  /** Class name, for `error.name` checks; subclasses set their own. */
  override name: string = 'ImaError'
  /** The service's code (a number from the envelope, or a string such as `'timeout'`), when known. */
  readonly code: number | string | undefined
  /** The HTTP status, when the error came from a response. */
  readonly status: number | undefined
  /**
   * The task this error concerns, when a create had already been accepted:
   * the task exists and may be charged, so resume it (`ima.tasks.wait(taskId)`)
   * instead of creating another. Set on every error `ima.generate()` throws
   * after its create succeeded.
   */
  readonly taskId: string | undefined

  constructor(message: string, options: { code?: number | string; status?: number; cause?: unknown; taskId?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.status = options.status
    this.taskId = options.taskId
  }
}

/**
 * Marks an error as coming after an accepted create, so callers always learn
 * the task id of what they paid for. Errors that already name a task keep it.
 */
export function attachTaskId<E>(error: E, taskId: string): E {
  if (error instanceof ImaError && error.taskId === undefined) {
    Object.defineProperty(error, 'taskId', { value: taskId, enumerable: true, configurable: true, writable: false })
  }
  return error
}

/**
 * The client is misconfigured (no API key, a bad base URL…). Raised on the
 * first request, never at import time.
 * @public
 */
export class ImaConfigError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'ImaConfigError' as const
}

/** The error of a request that needs the key when the client has none: one message wherever the key is needed. @internal */
export function missingApiKeyError(): ImaConfigError {
  return new ImaConfigError(
    'No API key: pass `apiKey` to new ImaClient({ apiKey }) or set the IMA_API_KEY environment variable (get a key at https://www.imaclaw.ai/imaclaw/apikey)',
  )
}

/**
 * The caller's input was refused before any request was sent.
 * `issues` lists each offending field.
 * @public
 */
export class ValidationError extends ImaError {
  /** Class name, for `error.name` checks; subclasses set their own. */
  override name: string = 'ValidationError'
  /** Each field that failed and why. */
  readonly issues: FieldIssue[]

  constructor(message: string, issues: FieldIssue[] = [], options: { cause?: unknown } = {}) {
    super(message, { code: 'validation', ...options })
    this.issues = issues
  }

  /** The messages for one field path (e.g. `'size'`). */
  fieldErrors(path: string): string[] {
    return this.issues.filter((issue) => issue.path === path).map((issue) => issue.message)
  }
}

/**
 * The model asked for is not in the product list (or not in the version asked for).
 * @public
 */
export class ModelNotFoundError extends ValidationError {
  /** Literal class name, for `error.name` checks. */
  override name = 'ModelNotFoundError' as const
  /** The model ids the product list offers for this category. */
  readonly available: string[]
  /** The model ids closest to what was asked for ("did you mean"), best first; empty when none is close. */
  readonly suggestions: string[]

  constructor(message: string, available: string[], suggestions: string[] = []) {
    super(message, [{ path: 'model', message }])
    this.available = available
    this.suggestions = suggestions
  }
}

/**
 * A create would cost more than the budget allows (`maxCredits` of the call
 * or of the client). Refused before anything is sent.
 * @public
 */
export class BudgetExceededError extends ValidationError {
  /** Literal class name, for `error.name` checks. */
  override name = 'BudgetExceededError' as const
  /** What the create would cost, in points (credit × n). */
  readonly cost: number
  /** The points the budget still allows. */
  readonly remaining: number
  /** A cheaper choice that fits, when there is one: a size of the same model, or another model. */
  readonly suggestion: { model: string; size: string | undefined; cost: number } | undefined

  constructor(
    message: string,
    options: { cost: number; remaining: number; suggestion?: { model: string; size: string | undefined; cost: number } },
  ) {
    super(message, [{ path: 'maxCredits', message: `costs ${options.cost}, budget allows ${options.remaining}` }])
    this.cost = options.cost
    this.remaining = options.remaining
    this.suggestion = options.suggestion
  }
}

/**
 * The service answered with an error: an HTTP error status, or an envelope
 * whose `code` is not 0/200. Subclasses narrow it by code or status.
 * @public
 */
export class ApiError extends ImaError {
  /** Class name, for `error.name` checks; subclasses set their own. */
  override name: string = 'ApiError'
  /** The request that failed. */
  readonly request: RequestTarget
  /** The service's own message, as sent. */
  readonly serviceMessage: string | undefined
  /** Milliseconds from the `Retry-After` header, when the service sent one (429, 503). */
  readonly retryAfterMs: number | undefined
  /**
   * True when the answer was the service's own `{ code, message }` envelope;
   * false for a bare status or an HTML page, which a gateway or proxy may
   * have sent after the service did the work.
   */
  readonly envelope: boolean
  /**
   * The whole answer body as text, with the API key and anything secret-looking
   * removed — for diagnostics; `message` quotes at most 2,000 characters of the
   * service's message. At most `maxResponseBytes` long; `undefined` when the
   * answer had no body.
   */
  readonly responseBody: string | undefined

  constructor(
    message: string,
    options: {
      request: RequestTarget
      code?: number | string
      status?: number
      serviceMessage?: string
      retryAfterMs?: number
      envelope?: boolean
      responseBody?: string
    },
  ) {
    super(message, options)
    this.request = options.request
    this.serviceMessage = options.serviceMessage
    this.retryAfterMs = options.retryAfterMs
    this.envelope = options.envelope ?? false
    this.responseBody = options.responseBody
  }
}

/** 401: the API key is invalid or not authorised. @public */
export class AuthenticationError extends ApiError {
  /** Literal class name, for `error.name` checks. */
  override name = 'AuthenticationError' as const
}

/** 4008 / "Insufficient points": the account has too few credits for this task. @public */
export class InsufficientPointsError extends ApiError {
  /** Literal class name, for `error.name` checks. */
  override name = 'InsufficientPointsError' as const
}

/** 6006: the `credit` sent does not equal the chosen rule's points. @public */
export class CreditMismatchError extends ApiError {
  /** Literal class name, for `error.name` checks. */
  override name = 'CreditMismatchError' as const
}

/**
 * 6009 / 6010 / "Invalid product attribute": the `attribute_id` does not
 * match the parameters, or no credit rule matches them. Usually the product
 * list changed: refresh it and choose again.
 * @public
 */
export class AttributeMismatchError extends ApiError {
  /** Literal class name, for `error.name` checks. */
  override name = 'AttributeMismatchError' as const
}

/** 400: a parameter (size, ratio…) was refused. @public */
export class BadRequestError extends ApiError {
  /** Literal class name, for `error.name` checks. */
  override name = 'BadRequestError' as const
}

/** 404: the task (or endpoint) does not exist. @public */
export class NotFoundError extends ApiError {
  /** Literal class name, for `error.name` checks. */
  override name = 'NotFoundError' as const
}

/** 429: too many requests. `retryAfterMs` says how long the service asked to wait. @public */
export class RateLimitError extends ApiError {
  /** Literal class name, for `error.name` checks. */
  override name = 'RateLimitError' as const
}

/** 5xx: the service failed. @public */
export class ServerError extends ApiError {
  /** Class name, for `error.name` checks; subclasses set their own. */
  override name: string = 'ServerError'
}

/** 503: the model or service is temporarily unavailable. @public */
export class ServiceUnavailableError extends ServerError {
  /** Literal class name, for `error.name` checks. */
  override name = 'ServiceUnavailableError' as const
}

/**
 * The service answered with something that is not what the protocol says
 * (HTML, an empty body, truncated JSON, an unexpected shape).
 * @public
 */
export class ResponseValidationError extends ImaError {
  /** Class name, for `error.name` checks; subclasses set their own. */
  override name: string = 'ResponseValidationError'
  /** The request whose answer was refused. */
  readonly request: RequestTarget
  /** The first characters of the body, with anything secret-looking removed. */
  readonly excerpt: string
  /** What did not match, when the body parsed but its shape was wrong. */
  readonly issues: FieldIssue[]
  /**
   * The whole answer body as text, with the API key and anything secret-looking
   * removed (`excerpt` is its first characters). `undefined` when there was no
   * body or it was not kept (a redirect, an answer over `maxResponseBytes`).
   */
  readonly responseBody: string | undefined

  constructor(
    message: string,
    options: { request: RequestTarget; status?: number; excerpt: string; issues?: FieldIssue[]; cause?: unknown; responseBody?: string },
  ) {
    super(message, { code: 'invalid_response', status: options.status, cause: options.cause })
    this.request = options.request
    this.excerpt = options.excerpt
    this.issues = options.issues ?? []
    this.responseBody = options.responseBody
  }
}

/**
 * An answer was larger than the client option `maxResponseBytes` (counted
 * after decompression, so a small gzip "bomb" is stopped too). Reading stopped
 * at the limit; the call is not retried, and for a create the outcome is
 * unknown (the service answered, so it may have processed it).
 *
 * @example
 * ```ts
 * try {
 *   await ima.products.list('text_to_image')
 * } catch (error) {
 *   if (error instanceof ResponseTooLargeError) console.warn(`answer over ${error.limitBytes} bytes`)
 * }
 * ```
 * @public
 */
export class ResponseTooLargeError extends ResponseValidationError {
  /** Literal class name, for `error.name` checks. */
  override name = 'ResponseTooLargeError' as const
  /** The limit that was passed, in bytes (`maxResponseBytes`). */
  readonly limitBytes: number

  constructor(message: string, options: { request: RequestTarget; status?: number; excerpt: string; limitBytes: number }) {
    super(message, { request: options.request, status: options.status, excerpt: options.excerpt })
    this.limitBytes = options.limitBytes
  }
}

/**
 * The request never got an answer: connection refused, reset, DNS failure.
 * `sent` is false when the request certainly did not reach the service.
 * @public
 */
export class ConnectionError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'ConnectionError' as const
  /** The request that failed. */
  readonly request: RequestTarget
  /** False only when the failure happened before any byte could reach the service. */
  readonly sent: boolean

  constructor(message: string, options: { request: RequestTarget; sent: boolean; code?: string; cause?: unknown }) {
    super(message, { code: options.code ?? 'network', cause: options.cause })
    this.request = options.request
    this.sent = options.sent
  }
}

/** One request took longer than the client's `timeout`. @public */
export class RequestTimeoutError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'RequestTimeoutError' as const
  /** The request that timed out. */
  readonly request: RequestTarget

  constructor(message: string, options: { request: RequestTarget }) {
    super(message, { code: 'timeout' })
    this.request = options.request
  }
}

/**
 * A create was sent but no answer proved whether the service processed it
 * (a timeout, a reset, a bare 5xx, 429 or HTML page from a gateway, or your
 * abort while it was in flight): the task may exist and may be charged. The
 * SDK never re-sends it. It stays reserved against `maxCredits`, and the
 * client's task journal keeps it under `ref`; with `detached`, the SDK goes
 * on reading the answer in the background and journals the task id if one
 * arrives (`ima.tasks.recent()`).
 * @public
 */
export class CreateOutcomeUnknownError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'CreateOutcomeUnknownError' as const
  /** The journal reference of this create (`JournalEntry.ref`), to find it again. */
  readonly ref: string | undefined
  /** True when your abort ended the call while the create was in flight; its answer is still read in the background. */
  readonly detached: boolean
  /** Points the create would have cost: what may have been charged. */
  readonly totalCredit: number | undefined

  constructor(message: string, options: { cause: unknown; status?: number; ref?: string; detached?: boolean; totalCredit?: number }) {
    const { ref, detached, totalCredit, ...rest } = options
    super(message, { code: 'create_outcome_unknown', ...rest })
    this.ref = ref
    this.detached = detached ?? false
    this.totalCredit = totalCredit
  }
}

/**
 * A create was given a `ref` the task journal already holds: that create was
 * sent before (by this process or another sharing the journal), so it is not
 * sent again. `entry` says where it stands — created (resume it with
 * `tasks.wait(entry.taskId)`), or sent with an outcome still unknown.
 *
 * @example
 * ```ts
 * try {
 *   await ima.tasks.create({ prompt: 'a fox', ref: `job-${job.id}` })
 * } catch (error) {
 *   if (error instanceof DuplicateCreateError && error.taskId) await ima.tasks.wait(error.taskId)
 * }
 * ```
 * @public
 */
export class DuplicateCreateError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'DuplicateCreateError' as const
  /** The journal's entry for the ref (a `JournalEntry`). */
  readonly entry: { readonly ref: string; readonly state: string; readonly taskId?: string | undefined; readonly totalCredit: number }

  constructor(entry: DuplicateCreateError['entry']) {
    const where =
      entry.taskId !== undefined
        ? `it is task ${entry.taskId} (${entry.state}): wait for it with tasks.wait('${entry.taskId}') instead`
        : `its outcome is ${entry.state === 'unknown' ? 'unknown' : 'not recorded yet'} and it may have been charged ${entry.totalCredit} points: find it with ima.tasks.recent() before creating another`
    super(`A create with ref ${entry.ref} was sent already, so it is not sent again: ${where}`, { code: 'duplicate_create', ...(entry.taskId !== undefined ? { taskId: entry.taskId } : {}) })
    this.entry = entry
  }
}

/**
 * The operation was cancelled through its `AbortSignal`. Its `name` is
 * `'AbortError'`, like the platform's own abort errors.
 * @public
 */
export class ImaAbortError extends ImaError {
  /** `'AbortError'`, the same name as the platform's own abort errors. */
  override name = 'AbortError' as const

  constructor(message = 'The operation was aborted', options: { cause?: unknown } = {}) {
    super(message, { code: 'aborted', ...options })
  }
}

/**
 * The task finished without a usable image: a media failed (resource_status 2),
 * was deleted (3), or reported status "failed".
 * @public
 */
export class TaskFailedError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'TaskFailedError' as const
  /** The task that failed. */
  override readonly taskId: string
  /** The service's reason (`error_msg`, else `remark`), when it gave one. */
  readonly reason: string | undefined
  /** Whether the result was deleted rather than failed. */
  readonly deleted: boolean
  /**
   * How it failed: a media at resource_status 2 (`resource`), every media
   * ready but a status "failed" with no detail (`status`), or deleted
   * (resource_status 3).
   */
  readonly failure: 'resource' | 'status' | 'deleted'

  constructor(message: string, options: { taskId: string; reason?: string; failure?: 'resource' | 'status' | 'deleted' }) {
    const failure = options.failure ?? 'resource'
    super(message, { code: failure === 'deleted' ? 'task_deleted' : 'task_failed', taskId: options.taskId })
    this.taskId = options.taskId
    this.reason = options.reason
    this.failure = failure
    this.deleted = failure === 'deleted'
  }
}

/**
 * Waiting for a task passed its deadline. The task may still finish: keep
 * `taskId` and resume with `ima.tasks.wait(taskId)`.
 * @public
 */
export class TaskTimeoutError extends ImaError {
  /** Literal class name, for `error.name` checks. */
  override name = 'TaskTimeoutError' as const
  /** The task that was still running. */
  override readonly taskId: string
  /** How long the client waited. */
  readonly elapsedMs: number

  constructor(message: string, options: { taskId: string; elapsedMs: number }) {
    super(message, { code: 'task_timeout', taskId: options.taskId })
    this.taskId = options.taskId
    this.elapsedMs = options.elapsedMs
  }
}
