import { createFetch, FetchError, type $Fetch } from 'ofetch'
import type * as z from 'zod/mini'
import { SDK_NAME, SDK_VERSION } from '../version.js'
import { abortErrorFor, anySignal, delay } from './abort.js'
import { createApiError } from './api-error-factory.js'
import type { ResolvedConfig } from './config.js'
import {
  ConnectionError,
  ImaConfigError,
  ImaError,
  RequestTimeoutError,
  ResponseValidationError,
  type FieldIssue,
  type RequestTarget,
} from './errors.js'
import type { EmitEvent } from './events.js'
import { excerptOf, redactSecrets } from './redact.js'
import { toJsonText } from './validate.js'
import { DEFAULT_RETRY_SETTINGS, decideRetry, parseRetryAfter, type RetryKind, type RetrySettings } from './retry-policy.js'
import { envelopeSchema, isSuccessCode } from '../schemas/envelope.js'

/** One call through the HTTP layer. */
export interface HttpCall<T> {
  method: 'GET' | 'POST'
  /** Path on the chosen host, e.g. `/open/v1/tasks/create`. */
  path: string
  /** Which host: the API (default) or the upload host. */
  host?: 'api' | 'upload'
  query?: Record<string, string>
  /** JSON body, or form fields when `form` is set. */
  body?: Record<string, unknown>
  /** Send `body` form-encoded instead of JSON. */
  form?: boolean
  /** Send `Authorization: Bearer <key>` (all `/open/v1/` calls). @defaultValue true */
  authorize?: boolean
  /** Schema of the envelope's `data`. */
  schema: z.ZodMiniType<T, unknown>
  /** How the call may be retried. */
  retry: RetryKind
  signal?: AbortSignal
  /**
   * When false, `signal` stops retries and backoff waits but not an attempt
   * already in flight: a create whose body may have left keeps its answer
   * coming (bounded by `timeout`) so its task id is not lost. @defaultValue true
   */
  abortInFlight?: boolean
  /** Told when an attempt starts sending (true) and when it has its answer or failed (false). */
  onInFlight?: (inFlight: boolean) => void
  /** Fields added to this call's log lines (the task id, the model). */
  log?: Record<string, unknown>
}

// Error codes of connection failures that happen before any byte is sent.
/** @internal Also used by the upload PUT, which goes around ofetch. */
export const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** @internal The first string `code` on an error or its causes (undici nests them). */
export function findErrorCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = current.cause
  }
  return undefined
}

/**
 * The one HTTP layer every resource uses: builds headers, sends through an
 * ofetch instance, unwraps the envelope, validates `data`, maps failures to
 * typed errors and applies the retry policy. ofetch's own retry is off: its
 * sleep cannot be aborted and it cannot tell a create that never left the
 * machine from one whose outcome is unknown.
 */
export class HttpClient {
  readonly #config: ResolvedConfig
  readonly #emit: EmitEvent
  readonly #fetch: $Fetch
  readonly #retry: RetrySettings

  constructor(config: ResolvedConfig, emit: EmitEvent, retry: Partial<RetrySettings> = {}) {
    this.#config = config
    this.#emit = emit
    this.#fetch = createFetch({ fetch: config.fetch })
    this.#retry = { ...DEFAULT_RETRY_SETTINGS, maxRetries: config.maxRetries, ...retry }
  }

  /** @internal The backoff settings, shared with the upload PUT so both retry alike. */
  get retrySettings(): RetrySettings {
    return this.#retry
  }

  /** Sends the call, retrying as its kind allows, and returns the validated `data`. */
  async call<T>(call: HttpCall<T>): Promise<T> {
    const target: RequestTarget = { method: call.method, path: call.path }
    const started = Date.now()
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#attempt(call, target, attempt)
      } catch (error) {
        const decision = decideRetry(error, attempt, call.retry, this.#retry)
        if (!decision.retry || !(error instanceof ImaError)) {
          const final = error
          const failed = final instanceof ImaError ? { error: final.name, code: final.code, status: final.status } : { error: String(final) }
          const level = final instanceof ImaError && final.name === 'AbortError' ? 'debug' : 'warn'
          this.#config.logger[level]('ima request failed', { ...call.log, ...target, attempts: attempt, durationMs: Date.now() - started, ...failed })
          throw final
        }
        this.#emit('retry', { ...target, attempt: attempt + 1, delayMs: decision.delayMs, reason: decision.reason, error })
        this.#config.logger.warn('ima retry', { ...call.log, ...target, attempt: attempt + 1, delayMs: decision.delayMs, reason: decision.reason })
        await delay(decision.delayMs, call.signal)
      }
    }
  }

  #headers(call: HttpCall<unknown>): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-app-source': 'ima_skills',
      x_app_language: this.#config.language,
      'user-agent': `${SDK_NAME}/${SDK_VERSION}`,
    }
    if (call.form) headers['content-type'] = 'application/x-www-form-urlencoded'
    else if (call.body) headers['content-type'] = 'application/json'
    if (call.authorize ?? true) {
      const apiKey = this.#config.apiKey
      if (!apiKey) {
        throw new ImaConfigError(
          'No API key: pass `apiKey` to new ImaClient({ apiKey }) or set the IMA_API_KEY environment variable (get a key at https://www.imaclaw.ai/imaclaw/apikey)',
        )
      }
      headers.authorization = `Bearer ${apiKey}`
    }
    return headers
  }

  async #attempt<T>(call: HttpCall<T>, target: RequestTarget, attempt: number): Promise<T> {
    const headers = this.#headers(call)
    // A body JSON cannot hold is refused here, before anything is sent.
    const body = call.body === undefined || call.form ? call.body : toJsonText(call.body, `${target.method} ${target.path} body`, [this.#config.apiKey])
    if (call.signal?.aborted) throw abortErrorFor(call.signal)
    const timeoutSignal = AbortSignal.timeout(this.#config.timeout)
    const fetchSignal = call.abortInFlight === false ? undefined : call.signal
    const signal = anySignal([fetchSignal, timeoutSignal])
    const started = Date.now()
    this.#emit('request', { ...target, attempt })
    call.onInFlight?.(true)
    let status: number
    let text: string
    let contentType: string
    let retryAfter: string | null
    try {
      const response = await this.#fetch.raw<string, 'text'>(call.path, {
        baseURL: call.host === 'upload' ? this.#config.uploadBaseURL : this.#config.baseURL,
        method: call.method,
        query: call.query,
        body,
        headers,
        signal,
        responseType: 'text',
        ignoreResponseError: true,
        retry: false,
      })
      status = response.status
      text = typeof response._data === 'string' ? response._data : ''
      contentType = response.headers.get('content-type') ?? ''
      retryAfter = response.headers.get('retry-after')
    } catch (error) {
      throw this.#transportError(error, target, fetchSignal, timeoutSignal)
    } finally {
      call.onInFlight?.(false)
    }
    const durationMs = Date.now() - started
    this.#emit('response', { ...target, attempt, status, durationMs })
    this.#config.logger.debug('ima response', { ...call.log, ...target, attempt, status, durationMs })
    return this.#readAnswer(call, target, { status, text, contentType, retryAfter })
  }

  /** Maps what fetch threw to an abort, a timeout or a connection error — without ofetch's error, which holds the request headers. */
  #transportError(error: unknown, target: RequestTarget, userSignal: AbortSignal | undefined, timeoutSignal: AbortSignal): ImaError {
    if (userSignal?.aborted) return abortErrorFor(userSignal)
    if (timeoutSignal.aborted) {
      return new RequestTimeoutError(
        `[${target.method} ${target.path}] no answer within ${this.#config.timeout} ms — the service may be slow; try again, or raise \`timeout\``,
        { request: target },
      )
    }
    if (error instanceof ImaError) return error
    const root = error instanceof FetchError ? error.cause : error
    const code = findErrorCode(root)
    const sent = code === undefined || !NOT_SENT_CODES.has(code)
    const detail = redactSecrets(root instanceof Error ? root.message : String(root), [this.#config.apiKey])
    return new ConnectionError(
      `[${target.method} ${target.path}] network error${code ? ` ${code}` : ''}: ${detail} — check the network connection and the base URL, then try again`,
      { request: target, sent, code: code ?? 'network', cause: root instanceof Error ? stripCause(root) : undefined },
    )
  }

  #readAnswer<T>(
    call: HttpCall<T>,
    target: RequestTarget,
    answer: { status: number; text: string; contentType: string; retryAfter: string | null },
  ): T {
    const secrets = [this.#config.apiKey]
    const excerpt = excerptOf(answer.text, secrets)
    const invalid = (reason: string, issues: FieldIssue[] = [], cause?: unknown) =>
      new ResponseValidationError(
        `[${target.method} ${target.path}] ${answer.status} ${reason}${excerpt ? `: ${excerpt}` : ''} — the service or a proxy answered unexpectedly; try again later`,
        { request: target, status: answer.status, excerpt, issues, cause },
      )

    let json: unknown
    let parsed = false
    if (answer.text.trim() !== '') {
      try {
        json = JSON.parse(answer.text)
        parsed = true
      } catch (error) {
        if (answer.status < 400) throw invalid(`answered with a body that is not JSON (${answer.contentType || 'no content type'})`, [], error)
      }
    }
    const envelope = parsed ? envelopeSchema.safeParse(json) : undefined
    const serviceMessage = envelope?.success && envelope.data.message ? redactSecrets(envelope.data.message, secrets) : undefined

    if (answer.status >= 400) {
      throw createApiError({
        request: target,
        status: answer.status,
        code: envelope?.success ? envelope.data.code : undefined,
        serviceMessage,
        envelope: envelope?.success === true,
        retryAfterMs: parseRetryAfter(answer.retryAfter),
      })
    }
    if (answer.status < 200 || answer.status >= 300) throw invalid('is not a success status')
    if (!parsed) throw invalid('answered with an empty body')
    if (!envelope?.success) throw invalid('answered JSON without the { code, message, data } envelope', toIssues(envelope?.error))
    if (!isSuccessCode(envelope.data.code)) {
      throw createApiError({ request: target, status: answer.status, code: envelope.data.code, serviceMessage, envelope: true })
    }
    const data = call.schema.safeParse(envelope.data.data)
    if (!data.success) throw invalid('answered data of an unexpected shape', toIssues(data.error))
    return data.data
  }
}

function toIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } | undefined): FieldIssue[] {
  return (error?.issues ?? []).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))
}

/** A copy of a low-level error with only its message and code, so nothing from the request rides along. */
function stripCause(error: Error): Error {
  const copy = new Error(error.message)
  copy.name = error.name
  const code = findErrorCode(error)
  if (code) (copy as Error & { code?: string }).code = code
  return copy
}

